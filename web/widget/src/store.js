// A small namespaced wrapper over localStorage (JSON values); the conversation survives a reload.
export class Store {
  constructor(prefix) { this.prefix = prefix; }
  get(key) {
    try { return JSON.parse(window.localStorage.getItem(`${this.prefix}:${key}`)); } catch (e) { return null; }
  }
  set(key, value) {
    try { window.localStorage.setItem(`${this.prefix}:${key}`, JSON.stringify(value)); } catch (e) { /* full or blocked */ }
  }
}
