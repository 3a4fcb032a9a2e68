// Link fragment: hands the page's URL fragment (the part after '#', which browsers never send to a server) to
// Python when the page mounts and whenever it changes, and removes it from the address bar when asked.
export default {
  template: `<span style="display: none"></span>`,
  mounted() {
    this.onHashChange = () => this.read();
    window.addEventListener("hashchange", this.onHashChange);
    this.read();
  },
  unmounted() {
    window.removeEventListener("hashchange", this.onHashChange);
  },
  methods: {
    read() {
      const fragment = window.location.hash.slice(1);
      if (fragment) this.$emit("read", { fragment: fragment.slice(0, 1000) });
    },
    forget() {
      history.replaceState(history.state, "", window.location.pathname + window.location.search);
    },
  },
};
