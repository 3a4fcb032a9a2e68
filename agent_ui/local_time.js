// Local time: renders an epoch as a clock time ("14:05") in the browser's own time zone and locale,
// which the server does not know.
export default {
  template: `<span>{{ text }}</span>`,
  props: { epoch: Number },
  computed: {
    text() {
      if (this.epoch === null || this.epoch === undefined) return "";
      return new Date(this.epoch * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    },
  },
};
