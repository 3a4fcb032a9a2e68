// Chat transcript: one element for a whole conversation. Messages arrive as data and render as text
// ({{ }} interpolation only), so the server keeps one element per chat instead of two per message.
export default {
  template: `
    <div class="column no-wrap full-width">
      <div ref="scroll" data-testid="transcript" class="full-width q-pa-xs" :style="{ overflowY: 'auto', height: boxHeight }"
           role="log" aria-label="Conversation" tabindex="0">
        <template v-for="m in items" :key="m.seq">
          <div v-if="m.kind === 'event'" data-testid="chat-event"
               class="text-center text-caption text-grey-7 text-italic q-my-xs">{{ m.text }}</div>
          <q-chat-message v-else :name="m.name" :stamp="m.stamp" :sent="m.sent" :bg-color="m.bg"
                          :data-testid="'chat-' + m.role">
            <div style="white-space: pre-wrap; overflow-wrap: anywhere">{{ m.text }}</div>
          </q-chat-message>
        </template>
      </div>
      <div data-testid="typing" v-show="typing" class="text-caption text-italic text-grey-7"
           style="min-height: 1rem">{{ typingLabel }}</div>
    </div>`,
  props: {
    messages: { type: Array, default: () => [] },
    ownRole: String,
    typingLabel: String,
    height: { type: String, default: '18rem' },
  },
  data() {
    return { items: [], typing: false, typingTimer: null, boxHeight: this.height };
  },
  created() {
    this.append(this.messages);
  },
  methods: {
    append(messages) {
      let fromOtherSide = false;
      for (const message of messages) {
        const last = this.items.length ? this.items[this.items.length - 1].seq : 0;
        if (message.seq <= last) continue; // repeated deliveries (reconnects, replays) are harmless
        this.items.push(message);
        fromOtherSide ||= message.role !== this.ownRole;
      }
      if (fromOtherSide) this.typing = false;
      this.$nextTick(() => this.scrollDown());
    },
    showTyping(seconds) {
      this.typing = true;
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => (this.typing = false), seconds * 1000);
    },
    setHeight(height) {
      this.boxHeight = height;
      this.$nextTick(() => this.scrollDown());
    },
    scrollDown() {
      const scroll = this.$refs.scroll;
      if (scroll) scroll.scrollTop = scroll.scrollHeight;
    },
  },
  unmounted() {
    clearTimeout(this.typingTimer);
  },
};
