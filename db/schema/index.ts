export * from "./identity";
export * from "./registries";
export * from "./audit";
