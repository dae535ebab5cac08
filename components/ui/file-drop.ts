/** Props that let a text field take a dropped file: the first file goes to `load`, the browser does not open it. */
export function fileDropProps(load: (file: File) => void) {
  return {
    onDragOver: (e: React.DragEvent) => e.preventDefault(),
    onDrop: (e: React.DragEvent) => {
      const file = e.dataTransfer.files[0];
      if (!file) return;
      e.preventDefault();
      load(file);
    },
  };
}
