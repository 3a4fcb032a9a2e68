// Unsent draft: keeps what is typed into one reply box in the tab's sessionStorage until Python says it was sent,
// so a page that reloads after the server was unreachable gets the text back instead of losing it.
export default {
  template: `<span style="display: none"></span>`,
  props: { target: String, storageKey: String },
  mounted() {
    this.onInput = (event) => {
      const field = event.target;
      if (!field || (field.tagName !== "INPUT" && field.tagName !== "TEXTAREA")) return;
      this.save(field.value);
    };
    this.box = document.getElementById(this.target);
    if (this.box) this.box.addEventListener("input", this.onInput, true);
    const draft = this.read();
    if (draft) this.$emit("restored", { text: draft.slice(0, 10000) }); // more than any message may hold
  },
  unmounted() {
    if (this.box) this.box.removeEventListener("input", this.onInput, true);
  },
  methods: {
    read() {
      try {
        return sessionStorage.getItem(this.storageKey) || "";
      } catch (err) {
        return "";
      }
    },
    save(text) {
      try {
        if (text) sessionStorage.setItem(this.storageKey, text);
        else sessionStorage.removeItem(this.storageKey);
      } catch (err) {
        /* storage full or refused: the draft is simply not kept */
      }
    },
    forget() {
      this.save("");
    },
  },
};
