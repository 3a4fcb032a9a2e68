// Connect CCP element: the Amazon Connect contact control panel through Amazon Connect Streams (vendored bundle,
// loaded on mount), reported to Python as a small event vocabulary:
//   agent   {username, name, arn, state_name, state_type}
//   contact {contact_id, state: connecting|connected|after_contact_work|ended, channel, attributes, reason}
//   error   {code, message}
//   signInNeeded {}   (federated mode: Python answers with signIn(credentials) or signInFailed(message))

import { loadScript } from "script_loader";

/** Insert the Streams <script> once per document and wait for it. */
function loadStreams(url) {
  return loadScript(url, {
    ready: () => (window.connect && window.connect.core ? window.connect : null),
    name: "window.connect",
    marker: "data-vce-connect-streams",
  });
}

function errorMessage(err) {
  return String((err && err.message) || err || "unknown error");
}

/** Read a Streams getter that throws once the contact or agent data is gone. */
function safe(read, fallback) {
  try {
    const value = read();
    return value === undefined || value === null ? fallback : value;
  } catch (err) {
    return fallback;
  }
}

/** Streams gives attributes as {key: {name, value}}; Python gets {key: "value"}. */
function attributesOf(contact) {
  const raw = safe(() => contact.getAttributes(), {});
  const out = {};
  for (const [key, item] of Object.entries(raw || {})) {
    const value = item && typeof item === "object" ? item.value : item;
    out[key] = value === undefined || value === null ? "" : String(value);
  }
  return out;
}

function agentPayload(agent) {
  const state = safe(() => agent.getState(), {});
  const config = safe(() => agent.getConfiguration(), {});
  return {
    username: String(config.username || ""),
    name: String(config.name || ""),
    arn: String(config.agentARN || ""),
    state_name: String(state.name || ""),
    state_type: String(state.type || ""),
  };
}

const STYLE = `
.vce-ccp { position: relative; width: 100%; min-height: 520px; }
.vce-ccp-host { width: 100%; height: 520px; }
.vce-ccp-host iframe { border: 0; }
.vce-ccp-status { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  padding: 16px; text-align: center; background: rgba(255, 255, 255, 0.92); font-size: 14px; }
.vce-ccp-status.vce-ccp-failed { color: #b71c1c; }
`;

function installStyle() {
  if (document.getElementById("vce-ccp-style")) return;
  const style = document.createElement("style");
  style.id = "vce-ccp-style";
  style.textContent = STYLE;
  document.head.appendChild(style);
}

export default {
  template: `
    <div class="vce-ccp">
      <div ref="host" class="vce-ccp-host" data-testid="ccp-host"></div>
      <div v-if="status" class="vce-ccp-status" :class="{'vce-ccp-failed': failed}" data-testid="ccp-status">{{ status }}</div>
    </div>
  `,
  props: {
    ccpUrl: String,
    loginUrl: String,
    signInUrl: String,
    region: String,
    loginMode: { type: String, default: "popup" },
    bundleUrl: String,
  },
  data() {
    return { status: "Loading the contact control panel…", failed: false };
  },
  async mounted() {
    installStyle();
    this.alive = true;
    this.contacts = new Map(); // contactId -> {contact, last: payload}
    this.started = false;
    try {
      this.connect = await loadStreams(this.streamsUrl());
    } catch (err) {
      return this.fail("bundle-failed", `The contact control panel could not be loaded: ${errorMessage(err)}`);
    }
    if (!this.alive) return;
    if (this.loginMode === "federated") {
      this.status = "Signing in to Amazon Connect…";
      this.fire("signInNeeded", {});
    } else {
      this.start();
    }
  },
  unmounted() {
    this.alive = false;
    this.removeSignInFrame();
    if (this.started && this.connect) {
      try {
        this.connect.core.terminate();
      } catch (err) {
        // the page is going away; nothing left to release
      }
      this.$refs.host && (this.$refs.host.innerHTML = "");
    }
  },
  methods: {
    // ---------------------------------------------------------------- called from Python (run_method)

    /** Federated mode: post GetFederationToken's credentials to the instance's sign-in endpoint, then start. */
    signIn(credentials) {
      if (!this.alive || this.started) return;
      const frameName = `vce-ccp-signin-${Math.random().toString(36).slice(2)}`;
      const frame = document.createElement("iframe");
      frame.name = frameName;
      frame.style.display = "none";
      frame.setAttribute("aria-hidden", "true");
      const form = document.createElement("form");
      form.method = "POST";
      form.action = this.signInUrl;
      form.target = frameName;
      form.style.display = "none";
      for (const [name, value] of [["credentials", JSON.stringify(credentials || {})], ["destination", ""]]) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      let done = false;
      const proceed = () => {
        if (done) return;
        done = true;
        clearTimeout(this.signInTimer);
        this.removeSignInFrame();
        this.start();
      };
      // The answer is cross-origin (unreadable): its load means Connect has set (or refused) the session cookie.
      // The frame's first load is its initial about:blank, which is still readable: skip that one. If Connect never
      // answers, start anyway: the CCP then reports auth-failed.
      frame.addEventListener("load", () => {
        try {
          if (frame.contentWindow.location.href === "about:blank") return;
        } catch (err) {
          // cross-origin: the sign-in answer
        }
        proceed();
      });
      this.signInTimer = setTimeout(proceed, 15000);
      this.signInNodes = [frame, form];
      document.body.appendChild(frame);
      document.body.appendChild(form);
      form.submit();
      form.remove(); // the token must not stay in the page
    },
    signInFailed(message) {
      this.fail("login-failed", `Unable to sign in to Amazon Connect: ${message}`);
    },
    async sendChatMessage(contactId, text) {
      try {
        const entry = this.contacts.get(contactId);
        if (!entry || !entry.contact) throw new Error(`contact ${contactId} is not in the CCP`);
        const session = await entry.contact.getAgentConnection().getMediaController();
        if (!session) throw new Error("the chat session is not ready");
        await session.sendMessage({ contentType: "text/plain", message: String(text) });
      } catch (err) {
        this.reportError("chat-send-failed", `The chat message could not be sent: ${errorMessage(err)}`);
      }
    },

    // ---------------------------------------------------------------- Streams
    start() {
      if (!this.alive || this.started) return;
      const connect = this.connect;
      const popup = this.loginMode !== "federated";
      const params = {
        ccpUrl: this.ccpUrl,
        region: this.region,
        loginPopup: popup,
        loginPopupAutoClose: true,
        softphone: { allowFramedSoftphone: true, disableRingtone: false },
        pageOptions: { enableAudioDeviceSettings: true, enablePhoneTypeSettings: true },
      };
      if (popup) params.loginUrl = this.loginUrl;
      try {
        connect.core.initCCP(this.$refs.host, params);
      } catch (err) {
        return this.fail("init-failed", `The contact control panel could not start: ${errorMessage(err)}`);
      }
      this.started = true;
      this.status = popup ? "Sign in to Amazon Connect in the popup window…" : "Connecting to Amazon Connect…";
      const core = connect.core;
      // Shown in place of the CCP until the agent arrives (the popup login may still fix an auth failure).
      core.onAuthFail && core.onAuthFail(() => this.fail("auth-failed", "Your Amazon Connect session is not valid; sign in again."));
      core.onAccessDenied && core.onAccessDenied(() => this.fail("access-denied", "This page is not an approved origin of the Amazon Connect instance."));
      core.onIframeRetriesExhausted && core.onIframeRetriesExhausted(() => this.fail("ccp-unreachable", "Amazon Connect did not answer; check the network and reload."));
      connect.agent((agent) => {
        this.status = "";
        this.failed = false;
        this.fire("agent", agentPayload(agent));
        agent.onStateChange(() => this.fire("agent", agentPayload(agent)));
      });
      connect.contact((contact) => this.watch(contact));
    },
    watch(contact) {
      const id = safe(() => contact.getContactId(), "");
      if (!id) return;
      this.contacts.set(id, { contact, last: null });
      const report = (state, reason, source) => this.reportContact(id, state, reason || "", source || contact);
      contact.onIncoming(() => report("connecting"));
      contact.onPending(() => report("connecting"));
      contact.onConnecting(() => report("connecting"));
      contact.onConnected(() => report("connected"));
      contact.onACW(() => report("after_contact_work"));
      contact.onMissed(() => report("ended", "missed"));
      contact.onError && contact.onError(() => report("ended", "error"));
      contact.onDestroy((snapshot) => {
        report("ended", "", snapshot && snapshot.getContactId ? snapshot : null);
        this.contacts.delete(id);
      });
    },
    reportContact(id, state, reason, source) {
      const entry = this.contacts.get(id) || { contact: null, last: null };
      if (entry.last && entry.last.state === state) return; // e.g. missed, then destroyed: one "ended"
      const fresh = source ? attributesOf(source) : {};
      const attributes = Object.keys(fresh).length ? fresh : (entry.last ? entry.last.attributes : {});
      const channel = String((source && safe(() => source.getType(), "")) || (entry.last ? entry.last.channel : "")).toUpperCase();
      const payload = { contact_id: id, state, channel, attributes, reason };
      entry.last = payload;
      this.fire("contact", payload);
    },

    // ---------------------------------------------------------------- helpers
    fire(name, payload) {
      if (this.alive) this.$emit(name, payload);
    },
    reportError(code, message) {
      this.fire("error", { code, message: String(message || code) });
    },
    fail(code, message) {
      this.status = message;
      this.failed = true;
      this.reportError(code, message);
    },
    removeSignInFrame() {
      clearTimeout(this.signInTimer);
      (this.signInNodes || []).forEach((node) => node.remove());
      this.signInNodes = [];
    },
    streamsUrl() {
      const url = this.bundleUrl || "";
      return url.startsWith("/") && window.path_prefix ? window.path_prefix + url : url;
    },
  },
};
