export * from "./identity";
export * from "./registries";
export * from "./audit";
export * from "./two-factor";
export * from "./usage";
export * from "./jobs";
export * from "./notifications";
