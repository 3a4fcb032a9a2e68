// Loads a vendored IIFE bundle (Chime SDK, Connect Streams) with a plain <script>: the bundles set a global rather
// than export a module, and each must only be fetched when an element needs it, once per document.

const loading = new Map(); // marker attribute -> the pending load of that bundle

/**
 * Insert the <script> for `url` once per document and wait for it.
 *
 * `ready()` returns the global the bundle defines (nothing while it is missing) and `name` names it for the error;
 * `marker` is the data attribute the <script> carries, so that a failed one is removed and the next call retries.
 */
export function loadScript(url, { ready, name, marker }) {
  const loaded = ready();
  if (loaded) return Promise.resolve(loaded);
  if (!loading.has(marker)) {
    const pending = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.setAttribute(marker, "1");
      script.onload = () => {
        const value = ready();
        return value ? resolve(value) : reject(new Error(`${name} missing`));
      };
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(script);
    }).catch((err) => {
      loading.delete(marker);
      document.querySelectorAll(`script[${marker}]`).forEach((s) => s.remove());
      throw err;
    });
    loading.set(marker, pending);
  }
  return loading.get(marker);
}
