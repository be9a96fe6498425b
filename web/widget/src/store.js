// A small namespaced wrapper over localStorage (JSON values); the conversation survives a reload.
export class Store {
  constructor(prefix) { this.prefix = prefix; }
  get(key) {
    try { return JSON.parse(window.localStorage.getItem(`${this.prefix}:${key}`)); } catch (e) { return null; }
  }
  set(key, value) {
    try { window.localStorage.setItem(`${this.prefix}:${key}`, JSON.stringify(value)); } catch (e) { /* full or blocked */ }
  }
  // Every key of this widget, including ones a future version adds: "forget me" and the quick exit must
  // leave nothing of the conversation on a shared or watched phone.
  clear() {
    try {
      const storage = window.localStorage;
      for (let index = storage.length - 1; index >= 0; index -= 1) {
        const key = storage.key(index);
        if (key && key.startsWith(`${this.prefix}:`)) storage.removeItem(key);
      }
    } catch (e) { /* blocked: nothing was stored either */ }
  }
}
