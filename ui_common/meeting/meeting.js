// Meeting element: renders the media of a call and reports what happens as a small set of events.
// Two engines share one view: "local" (browser WebRTC mesh, signalling relayed by Python) and
// "chime" (Amazon Chime SDK JS 3.x, loaded on first use from a vendored IIFE bundle).
// Nothing user-provided is ever written as HTML: names are rendered with {{ }} (text only).

import { ChimeEngine } from "meeting_chime_engine";
import { LocalEngine } from "meeting_local_engine";
import {
  devicesPayload, enumerate, errorMessage, labelsMissing, mediaErrorCode, openTrack, randomId, requestPermission,
  stopTrack,
} from "meeting_media";

const STYLE_ID = "vce-meeting-style";
const STYLE = `
.vce-meeting{position:relative;width:100%;display:flex;flex-direction:column;gap:8px;font:14px system-ui,sans-serif}
.vce-setup{display:flex;flex-direction:column;gap:6px;width:100%;max-width:480px}
.vce-preview{width:100%;aspect-ratio:4/3;background:#000;border-radius:6px;object-fit:cover;transform:scaleX(-1)}
.vce-meter{height:8px;background:#cfd8dc;border-radius:4px;overflow:hidden}
.vce-level{height:100%;width:0;background:#43a047;transition:width 80ms linear}
.vce-stage{position:relative;display:flex;gap:8px;width:100%;aspect-ratio:16/9;min-height:220px;padding:8px;
  box-sizing:border-box;background:#101418;border-radius:8px;overflow:hidden;color:#fff}
.vce-people{flex:1 1 0;display:flex;flex-direction:row;flex-wrap:wrap;gap:8px;min-width:0;min-height:0}
.vce-has-content .vce-people{flex-direction:column;flex-wrap:nowrap}
.vce-tile{position:relative;flex:1 1 0;min-width:0;min-height:0;display:flex;align-items:center;justify-content:center;
  background:#000;border-radius:6px;overflow:hidden}
.vce-people .vce-tile{flex-basis:40%}
.vce-stage .vce-content{flex:3 1 0}
.vce-tile video{width:100%;height:100%;object-fit:contain}
.vce-local{position:absolute;right:14px;bottom:14px;width:22%;min-width:96px;aspect-ratio:4/3;flex:none;z-index:2;
  border:2px solid rgba(255,255,255,.7);box-shadow:0 2px 8px rgba(0,0,0,.5)}
.vce-local video{object-fit:cover;transform:scaleX(-1)}
.vce-has-content .vce-local{left:14px;right:auto;width:18%}
.vce-plate{position:absolute;left:6px;bottom:6px;max-width:90%;padding:1px 6px;border-radius:4px;background:rgba(0,0,0,.6);
  font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.vce-avatar{width:64px;height:64px;border-radius:50%;display:flex;align-items:center;justify-content:center;
  background:#455a64;font-size:24px;text-transform:uppercase}
.vce-audio{display:none}
@media (max-width:600px){.vce-stage{flex-direction:column;aspect-ratio:auto;min-height:60vh}.vce-local{width:32%}}
`;

function installStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = STYLE;
  document.head.appendChild(style);
}

export default {
  template: `
    <div class="vce-meeting">
      <div class="vce-setup" v-if="!audioOnly" v-show="previewing">
        <video ref="preview" class="vce-preview" data-testid="meeting-preview-video" autoplay muted playsinline></video>
        <div class="vce-meter"><div class="vce-level" data-testid="meeting-level" :style="{width: level + '%'}"></div></div>
      </div>
      <div class="vce-stage" v-if="!audioOnly" v-show="joined" :class="{'vce-has-content': !!content}">
        <div class="vce-tile vce-content" v-show="content">
          <video ref="content" data-testid="meeting-content-video" autoplay muted playsinline></video>
          <div class="vce-plate">{{ content ? nameOf(content.id, content.external, content.name) : '' }}</div>
        </div>
        <div class="vce-people">
          <div v-for="r in remotes" :key="r.id" class="vce-tile vce-remote" :data-attendee-id="r.id">
            <video v-if="r.camera" :ref="(el) => mountVideo('camera', r.id, el)"
                   :data-testid="r.id === mainCameraId ? 'meeting-remote-video' : 'meeting-remote-video-other'"
                   autoplay muted playsinline></video>
            <div v-else class="vce-avatar">{{ initials(nameOf(r.id, r.external, r.name)) }}</div>
            <div class="vce-plate">{{ nameOf(r.id, r.external, r.name) }}</div>
          </div>
        </div>
        <div class="vce-tile vce-local" v-show="localVideo">
          <video ref="local" data-testid="meeting-local-video" autoplay muted playsinline></video>
          <div class="vce-plate">Me</div>
        </div>
      </div>
      <div ref="audio" class="vce-audio" aria-hidden="true"></div>
    </div>
  `,
  props: {
    backend: { type: String, default: "local" },
    chimeBundleUrl: String,
    iceServers: { type: Array, default: () => [] },
    selfName: { type: String, default: "" },
    names: { type: Object, default: () => ({}) },
    audioOnly: { type: Boolean, default: false },
  },
  data() {
    return { previewing: false, level: 0, joined: false, remotes: [], content: null, localVideo: false };
  },
  computed: {
    mainCameraId() {
      const first = this.remotes.find((r) => r.camera);
      return first ? first.id : null;
    },
  },
  mounted() {
    installStyle();
    // non-reactive state (MediaStreams must not be wrapped in Vue proxies)
    this.alive = true;
    this.engine = this.backend === "chime" ? new ChimeEngine(this) : new LocalEngine(this);
    this.sources = new Map(); // "camera:<id>" / "content" / "local" -> MediaStream | {chimeTile}
    this.audioEls = new Map();
    this.audioOutput = null;
    this.remoteAudioMuted = false; // e.g. a call on hold: every remote <audio>, also later ones, stays silent
    this.preview = null; // {tracks, ctx, timer}
    // Join and leave close the device setup: a preview asked for later (a device list that came back after the
    // click on Join) must not open the camera above, or after, the call. listDevices opens the setup again.
    this.setupClosed = false;
    this.registryKey = this.$el.id || `meeting-${randomId()}`;
    window.__vceMeetings = window.__vceMeetings || {};
    window.__vceMeetings[this.registryKey] = {
      backend: this.backend,
      stats: () => this.engine.stats(),
      peers: () => this.engine.peerStates(),
      localAudio: () => this.engine.mic || null, // the call recorder mixes the agent's own voice (local engine)
      localShare: () => this.engine.share || null, // and draws the agent's own screen share (not shown on its page)
    };
  },
  unmounted() {
    this.alive = false;
    this.stopPreview(true);
    this.engine.close();
    for (const el of this.audioEls.values()) {
      el.srcObject = null;
      el.remove();
    }
    this.audioEls.clear();
    if (window.__vceMeetings) delete window.__vceMeetings[this.registryKey];
  },
  methods: {
    // ---------------------------------------------------------------- called from Python (run_method)
    async listDevices() {
      this.setupClosed = false;
      try {
        let payload;
        if (this.backend === "chime") {
          payload = await this.engine.listDevices();
          if (!payload) return;
        } else {
          let devices = await enumerate();
          if (labelsMissing(devices)) {
            await requestPermission(this);
            devices = await enumerate();
          }
          payload = devicesPayload(devices);
        }
        this.fire("devices", payload);
      } catch (err) {
        this.reportError("permission-denied", errorMessage(err));
      }
    },
    async startPreview(audioInput, videoInput) {
      this.stopPreview(true);
      if (this.setupClosed) return;
      const token = (this.previewToken = randomId());
      const tracks = [];
      let audio = false;
      let video = false;
      let denied = false;
      for (const [kind, device] of [["video", videoInput], ["audio", audioInput]]) {
        try {
          const quality = this.engine.prefs.quality;
          tracks.push(await openTrack(kind, device, quality));
          if (kind === "video") video = true;
          else audio = true;
        } catch (err) {
          const code = mediaErrorCode(err, kind);
          if (code !== "permission-denied" || !denied) this.reportError(code, errorMessage(err));
          denied = denied || code === "permission-denied";
        }
      }
      if (token !== this.previewToken || !this.alive) return tracks.forEach(stopTrack);
      this.preview = { tracks, ctx: null, timer: null };
      const videoTrack = tracks.find((t) => t.kind === "video");
      const audioTrack = tracks.find((t) => t.kind === "audio");
      this.showStream(this.$refs.preview, videoTrack ? new MediaStream([videoTrack]) : null);
      if (audioTrack) this.startMeter(audioTrack);
      this.previewing = true;
      this.fire("preview", { audio, video });
    },
    stopPreview(silent = false) {
      this.previewToken = null;
      const preview = this.preview;
      this.preview = null;
      if (preview) {
        preview.tracks.forEach(stopTrack);
        if (preview.timer) clearInterval(preview.timer);
        if (preview.ctx) preview.ctx.close().catch(() => {});
      }
      if (this.$refs.preview) this.$refs.preview.srcObject = null;
      this.previewing = false;
      this.level = 0;
    },
    async playTestTone(audioOutput) {
      const ctx = new AudioContext();
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      const sink = ctx.createMediaStreamDestination();
      oscillator.frequency.value = 440;
      gain.gain.value = 0.2;
      oscillator.connect(gain).connect(sink);
      const player = new Audio();
      player.srcObject = sink.stream;
      const output = audioOutput || this.audioOutput;
      if (output && player.setSinkId) await player.setSinkId(output).catch(() => {});
      await ctx.resume().catch(() => {});
      oscillator.start();
      await player.play().catch(() => {});
      setTimeout(() => {
        oscillator.stop();
        player.pause();
        player.srcObject = null;
        ctx.close().catch(() => {});
      }, 1000);
    },
    join(joinInfo, options) {
      this.closeSetup();
      const opts = Object.assign({ audio_input: null, video_input: null, audio_output: null, quality: "720p", camera_on: false }, options || {});
      if (opts.audio_output) this.setAudioOutput(opts.audio_output);
      return this.engine.join(joinInfo || {}, opts).catch((err) => {
        this.reportError("join-failed", errorMessage(err));
      });
    },
    leave() {
      this.closeSetup();
      this.engine.leave();
    },
    closeSetup() {
      this.setupClosed = true;
      this.stopPreview(true);
    },
    setMuted(muted) {
      this.engine.setMuted(muted);
    },
    setRemoteAudioMuted(muted) {
      this.remoteAudioMuted = !!muted;
      for (const el of this.audioEls.values()) el.muted = this.remoteAudioMuted;
    },
    setCamera(on) {
      return this.engine.setCamera(!!on);
    },
    startShare() {
      return this.engine.startShare();
    },
    stopShare() {
      this.engine.stopShare();
    },
    chooseDevices(choice) {
      return this.engine.chooseDevices(choice || {});
    },
    receiveSignal(fromAttendee, data) {
      this.engine.receive(fromAttendee, data);
    },

    // ---------------------------------------------------------------- view API used by the engines
    fire(name, payload) {
      if (this.alive) this.$emit(name, payload);
    },
    reportError(code, message) {
      this.fire("error", { code, message: String(message || code) });
    },
    bundleUrl() {
      const url = this.chimeBundleUrl || "";
      return url.startsWith("/") && window.path_prefix ? window.path_prefix + url : url;
    },
    nameOf(id, external, fallback) {
      const names = this.names || {};
      if (id && names[id] !== undefined) return String(names[id]);
      if (external && names[external] !== undefined) return String(names[external]);
      return String(fallback || external || "");
    },
    initials(name) {
      const parts = String(name || "").trim().split(/\s+/).filter(Boolean);
      return parts.slice(0, 2).map((p) => p[0]).join("") || "?";
    },
    setJoined(joined) {
      this.joined = joined;
    },
    upsertRemote(id, info) {
      const existing = this.remotes.find((r) => r.id === id);
      if (existing) {
        if (info.name) existing.name = info.name;
        if (info.external) existing.external = info.external;
      } else {
        this.remotes.push({ id, name: info.name || "", external: info.external || "", camera: false });
      }
    },
    removeRemote(id) {
      this.sources.delete(`camera:${id}`);
      this.remotes = this.remotes.filter((r) => r.id !== id);
      if (this.content && this.content.id === id) this.setContent(id, null);
    },
    setRemoteCamera(id, source) {
      const key = `camera:${id}`;
      if (source) this.sources.set(key, source);
      else this.sources.delete(key);
      const remote = this.remotes.find((r) => r.id === id);
      if (remote) remote.camera = !!source;
    },
    setContent(id, source) {
      if (source) {
        this.sources.set("content", source);
        const remote = this.remotes.find((r) => r.id === id);
        this.content = { id, name: remote ? remote.name : "", external: remote ? remote.external : "" };
        this.$nextTick(() => this.mountVideo("content", id, this.$refs.content));
      } else if (this.content && this.content.id === id) {
        this.sources.delete("content");
        this.content = null;
        this.clearVideo(this.$refs.content);
      }
    },
    setLocalVideo(source, id) {
      if (source) this.sources.set("local", source);
      else this.sources.delete("local");
      this.localVideo = !!source;
      if (source) this.$nextTick(() => this.mountVideo("local", id, this.$refs.local));
      else this.clearVideo(this.$refs.local);
    },
    clearVideo(el) {
      if (!el) return;
      el.srcObject = null;
      delete el.dataset.tile;
    },
    /** Put the right media into a <video> once it exists (function ref for remote tiles, refs for the rest). */
    mountVideo(kind, id, el) {
      if (!el) return;
      const source = this.sources.get(kind === "camera" ? `camera:${id}` : kind);
      if (!source) return;
      if (source instanceof MediaStream) this.showStream(el, source);
      else if (el.dataset.tile !== String(source.chimeTile)) {
        el.dataset.tile = String(source.chimeTile);
        el.muted = true;
        this.engine.bindElement(source, el);
      }
    },
    showStream(el, stream) {
      if (!el || el.srcObject === stream) return;
      el.muted = true;
      el.srcObject = stream;
      if (stream) el.play().catch(() => {});
    },
    audioElement(key) {
      let el = this.audioEls.get(key);
      if (!el) {
        el = document.createElement("audio");
        el.autoplay = true;
        el.muted = this.remoteAudioMuted;
        el.dataset.attendeeId = key;
        this.$refs.audio.appendChild(el);
        this.audioEls.set(key, el);
        if (this.audioOutput && el.setSinkId) el.setSinkId(this.audioOutput).catch(() => {});
      }
      return el;
    },
    setRemoteAudio(id, stream) {
      if (stream) {
        const el = this.audioElement(id);
        el.srcObject = stream;
        el.play().catch(() => {});
      } else {
        const el = this.audioEls.get(id);
        if (!el) return;
        el.srcObject = null;
        el.remove();
        this.audioEls.delete(id);
      }
    },
    setAudioOutput(deviceId) {
      this.audioOutput = deviceId || null;
      for (const el of this.audioEls.values()) {
        if (el.setSinkId) el.setSinkId(deviceId || "").catch(() => {});
      }
    },
    remoteVideoElement() {
      return this.$el.querySelector('[data-testid="meeting-remote-video"]');
    },
    startMeter(track) {
      const ctx = new AudioContext();
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 512;
      ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      ctx.resume().catch(() => {});
      const samples = new Float32Array(analyser.fftSize);
      const timer = setInterval(() => {
        analyser.getFloatTimeDomainData(samples);
        let sum = 0;
        for (const s of samples) sum += s * s;
        const db = 20 * Math.log10(Math.sqrt(sum / samples.length) || 1e-8); // -60 dBFS .. 0 dBFS -> 0 .. 100
        const level = Math.max(0, Math.min(100, Math.round(((db + 60) / 60) * 100)));
        this.level = Math.max(level, Math.round(this.level * 0.7)); // fast attack, slow release
      }, 100);
      this.preview.ctx = ctx;
      this.preview.timer = timer;
    },
  },
};
