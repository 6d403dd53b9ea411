/**
 * The few extension APIs baton's pages and worker call, typed here rather than pulling in the
 * whole of `@types/chrome`: storage.local (the device credential), sidePanel (open and
 * behaviour) and windows (which window the popup belongs to). Shapes as Chrome 116+ documents
 * them.
 */
declare namespace chrome {
  namespace storage {
    interface StorageArea {
      get(keys: string | readonly string[]): Promise<Record<string, unknown>>;
      set(items: Record<string, unknown>): Promise<void>;
      remove(keys: string | readonly string[]): Promise<void>;
    }
    const local: StorageArea;
    const onChanged: {
      addListener(
        callback: (changes: Record<string, { newValue?: unknown }>, area: string) => void,
      ): void;
      removeListener(
        callback: (changes: Record<string, { newValue?: unknown }>, area: string) => void,
      ): void;
    };
  }
  namespace sidePanel {
    function setPanelBehavior(behavior: { openPanelOnActionClick?: boolean }): Promise<void>;
    function setOptions(options: {
      path?: string;
      enabled?: boolean;
      tabId?: number;
    }): Promise<void>;
    function open(options: { windowId?: number; tabId?: number }): Promise<void>;
  }
  namespace windows {
    function getCurrent(): Promise<{ id?: number }>;
  }
  namespace runtime {
    const id: string;
    function getURL(path: string): string;
    const onInstalled: { addListener(callback: () => void): void };
  }
}
