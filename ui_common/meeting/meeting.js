// Meeting element: renders the media of a call and reports what happens as a small set of events.
// Two engines share one view: "local" (browser WebRTC mesh, signalling relayed by Python) and
// "chime" (Amazon Chime SDK JS 3.x, loaded on first use from a vendored IIFE bundle).
// Nothing user-provided is ever written as HTML: names are rendered with {{ }} (text only).

const QUALITIES = { "360p": [640, 360, 15], "540p": [960, 540, 15], "720p": [1280, 720, 15] };
// A peer whose connection stays "disconnected" this long is treated as gone (Chrome says "failed" only after ~15 s).
const DISCONNECTED_GRACE_MS = 2000;
// A Chime session that has not started by then is given up (the SDK itself keeps retrying unreachable endpoints).
const CHIME_JOIN_TIMEOUT_MS = 30000;
const CHIME_ENDED_CODES = ["MeetingEnded", "AudioCallEnded", "AudioAttendeeRemoved"];
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

// ------------------------------------------------------------------------------------------- helpers

function installStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = STYLE;
  document.head.appendChild(style);
}

function errorName(err) {
  return (err && err.name) || "";
}

function errorMessage(err) {
  if (!err) return "unknown error";
  return String(err.message || err.name || err);
}

/** Map a getUserMedia failure to one of the element's error codes. */
function mediaErrorCode(err, kind) {
  const name = errorName(err);
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return "permission-denied";
  }
  return kind === "video" ? "no-camera" : "no-microphone";
}

function qualityOf(quality) {
  return QUALITIES[quality] || QUALITIES["720p"];
}

function videoConstraints(deviceId, quality) {
  const [width, height, fps] = qualityOf(quality);
  const constraints = { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: fps, max: fps } };
  if (deviceId) constraints.deviceId = { exact: deviceId };
  return constraints;
}

function audioConstraints(deviceId) {
  return deviceId ? { deviceId: { exact: deviceId } } : true;
}

/** Open one track of `kind`; a missing chosen device falls back to the default one. */
async function openTrack(kind, deviceId, quality) {
  const constraintsFor = (id) => (kind === "video" ? { video: videoConstraints(id, quality) } : { audio: audioConstraints(id) });
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia(constraintsFor(deviceId));
  } catch (err) {
    const name = errorName(err);
    if (!deviceId || (name !== "OverconstrainedError" && name !== "NotFoundError")) throw err;
    stream = await navigator.mediaDevices.getUserMedia(constraintsFor(null));
  }
  return stream.getTracks()[0];
}

function stopTrack(track) {
  if (track) track.stop();
}

function randomId() {
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
}

function devicesPayload(devices) {
  const pick = (kind) =>
    devices.filter((d) => d.kind === kind).map((d) => ({ id: d.deviceId || "", label: d.label || "" }));
  return { audio_inputs: pick("audioinput"), video_inputs: pick("videoinput"), audio_outputs: pick("audiooutput") };
}

function labelsMissing(devices) {
  return devices.some((d) => (d.kind === "audioinput" || d.kind === "videoinput") && !d.label);
}

/** Ask for camera + microphone permission so that device labels become visible; report what failed. */
async function requestPermission(view) {
  const tryOpen = async (constraints) => {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    stream.getTracks().forEach(stopTrack);
  };
  try {
    await tryOpen({ audio: true, video: true });
    return;
  } catch (err) {
    if (mediaErrorCode(err) === "permission-denied") {
      view.reportError("permission-denied", errorMessage(err));
      return;
    }
  }
  for (const kind of ["audio", "video"]) {
    try {
      await tryOpen({ [kind]: true });
    } catch (err) {
      view.reportError(mediaErrorCode(err, kind), errorMessage(err));
    }
  }
}

async function enumerate() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
  return navigator.mediaDevices.enumerateDevices();
}

async function collectStats(reports, remoteVideo) {
  let inboundAudioPackets = 0;
  let inboundAudioEnergy = 0;
  let inboundVideoFrames = 0;
  for (const report of reports) {
    if (!report) continue;
    report.forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      const kind = s.kind || s.mediaType;
      if (kind === "audio") inboundAudioPackets += s.packetsReceived || 0;
      if (kind === "audio") inboundAudioEnergy += s.totalAudioEnergy || 0;
      if (kind === "video") inboundVideoFrames += s.framesDecoded || 0;
    });
  }
  const remoteVideoWidth = remoteVideo ? remoteVideo.videoWidth : 0;
  return { inboundAudioPackets, inboundVideoFrames, remoteVideoWidth, inboundAudioEnergy };
}

let chimeLoading = null;

/** Insert the Chime SDK <script> once per document and wait for it. */
function loadChime(url) {
  if (window.ChimeSDK) return Promise.resolve(window.ChimeSDK);
  if (!chimeLoading) {
    chimeLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.dataset.vceChime = "1";
      script.onload = () => (window.ChimeSDK ? resolve(window.ChimeSDK) : reject(new Error("window.ChimeSDK missing")));
      script.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(script);
    }).catch((err) => {
      chimeLoading = null;
      document.querySelectorAll("script[data-vce-chime]").forEach((s) => s.remove());
      throw err;
    });
  }
  return chimeLoading;
}

// ------------------------------------------------------------------------------------------- local engine

/** Browser WebRTC mesh: one RTCPeerConnection per other attendee, three fixed transceivers each. */
class LocalEngine {
  constructor(view) {
    this.view = view;
    this.peers = new Map(); // attendee id -> peer
    this.present = new Set(); // attendee ids announced with attendeeJoined
    this.joined = false;
    this.ready = false; // hello sent: signals from others are handled from now on
    this.self = null;
    this.name = "";
    this.mic = null;
    this.camera = null;
    this.share = null;
    this.muted = false;
    this.prefs = { audio_input: null, video_input: null, audio_output: null, quality: "720p" };
    this.chain = Promise.resolve(); // incoming signals are handled one at a time, in order
    this.mediaQueue = Promise.resolve(); // so are device changes (camera on/off, device switches)
  }

  serial(operation) {
    const run = this.mediaQueue.then(operation);
    this.mediaQueue = run.catch(() => {});
    return run;
  }

  // --- lifecycle

  async join(info, options) {
    if (this.joined) return;
    this.self = String(info.attendee_id || "");
    this.name = String(info.name || this.view.selfName || "");
    Object.assign(this.prefs, options);
    this.joined = true;
    this.view.setJoined(true);
    await this.serial(async () => {
      if (!this.muted) await this.openMic();
      if (options.camera_on) await this.cameraOn();
    });
    if (!this.joined) return; // left while the devices opened
    this.ready = true;
    this.view.fire("joined", { attendee_id: this.self });
    this.send("*", { type: "hello", name: this.name });
  }

  leave(reason = "left") {
    if (!this.joined) return;
    this.send("*", { type: "bye" });
    this.close();
    this.view.fire("left", { reason });
  }

  /** Release everything without further events (after leave, or when the element is unmounted). */
  close() {
    this.joined = false;
    this.ready = false;
    for (const peer of [...this.peers.values()]) this.dropPeer(peer, { quiet: true });
    this.present.clear();
    this.view.setLocalVideo(null, this.self);
    [this.mic, this.camera, this.share].forEach(stopTrack);
    this.mic = this.camera = this.share = null;
    this.view.setJoined(false);
  }

  // --- local media

  async openMic() {
    try {
      const track = await openTrack("audio", this.prefs.audio_input);
      if (!this.joined) return stopTrack(track);
      stopTrack(this.mic);
      this.mic = track;
      track.enabled = !this.muted;
      this.pushTrack("audio", track);
    } catch (err) {
      this.view.reportError(mediaErrorCode(err, "audio"), errorMessage(err));
    }
  }

  setMuted(muted) {
    this.muted = !!muted;
    if (this.mic) this.mic.enabled = !this.muted;
    else if (!this.muted && this.joined) this.serial(() => !this.mic && this.openMic());
  }

  /** Camera on/off (serialised with the other device changes). */
  setCamera(on) {
    return this.serial(() => (on ? this.cameraOn() : this.cameraOff()));
  }

  /** Open (or reopen, after a device/quality change) the camera and send it to everyone. */
  async cameraOn() {
    if (!this.joined) return;
    // Chrome serves a second capture of a busy camera at the running capture's size: release the old one first
    const wasOn = !!this.camera;
    stopTrack(this.camera);
    let track;
    try {
      track = await openTrack("video", this.prefs.video_input, this.prefs.quality);
    } catch (err) {
      this.view.reportError(mediaErrorCode(err, "video"), errorMessage(err));
      if (wasOn) await this.cameraOff();
      return;
    }
    if (!this.joined) return stopTrack(track);
    this.camera = track;
    track.onended = () => this.camera === track && this.setCamera(false);
    this.pushTrack("camera", track);
    this.view.setLocalVideo(new MediaStream([track]), this.self);
    if (!wasOn) {
      this.view.fire("videoTile", { attendee_id: this.self, on: true, local: true, content: false });
      this.announceMedia();
    }
  }

  async cameraOff() {
    if (!this.camera) return;
    const track = this.camera;
    this.camera = null;
    this.pushTrack("camera", null);
    track.stop();
    this.view.setLocalVideo(null, this.self);
    this.view.fire("videoTile", { attendee_id: this.self, on: false, local: true, content: false });
    this.announceMedia();
  }

  async startShare() {
    if (!this.joined || this.share) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (err) {
      const code = errorName(err) === "NotAllowedError" || errorName(err) === "AbortError" ? "share-cancelled" : "share-failed";
      this.view.reportError(code, errorMessage(err));
      return;
    }
    const track = stream.getVideoTracks()[0];
    stream.getAudioTracks().forEach(stopTrack);
    if (!track || !this.joined) {
      stream.getTracks().forEach(stopTrack);
      if (!track) this.view.reportError("share-failed", "the capture had no video track");
      return;
    }
    this.share = track;
    track.onended = () => this.share === track && this.stopShare();
    this.pushTrack("content", track);
    this.emitShare(true);
    this.announceMedia();
  }

  stopShare() {
    if (!this.share) return;
    const track = this.share;
    this.share = null;
    this.pushTrack("content", null);
    track.stop();
    this.emitShare(false);
    this.announceMedia();
  }

  emitShare(on) {
    this.view.fire("videoTile", { attendee_id: this.self, on, local: true, content: true });
    this.view.fire("contentShare", { attendee_id: this.self, on, local: true });
  }

  chooseDevices(choice) {
    const given = (key) => choice[key] !== null && choice[key] !== undefined;
    const changed = (key) => given(key) && choice[key] !== this.prefs[key];
    const micChanged = changed("audio_input");
    const cameraChanged = changed("video_input") || changed("quality");
    for (const key of Object.keys(choice)) if (given(key)) this.prefs[key] = choice[key];
    if (given("audio_output")) this.view.setAudioOutput(choice.audio_output);
    return this.serial(async () => {
      if (!this.joined) return;
      if (micChanged && (this.mic || !this.muted)) await this.openMic();
      if (cameraChanged && this.camera) await this.cameraOn();
    });
  }

  /** Put the current local track of `role` on every connection (no renegotiation needed). */
  pushTrack(role, track) {
    for (const peer of this.peers.values()) {
      if (peer.tx) peer.tx[role].sender.replaceTrack(track).catch(() => {});
    }
  }

  announceMedia() {
    this.send("*", { type: "media", camera: !!this.camera, share: !!this.share });
  }

  // --- signalling

  send(to, data) {
    this.view.fire("signal", { to, data });
  }

  receive(from, data) {
    if (!from || !data || typeof data !== "object") return;
    this.chain = this.chain.then(() => this.handle(String(from), data)).catch((err) => console.warn("meeting signal", err));
  }

  async handle(from, data) {
    if (!this.ready || from === this.self) return;
    const peer = this.peers.get(from);
    switch (data.type) {
      case "hello":
        if (peer) this.dropPeer(peer, { replaced: true });
        return this.offerTo(from, data.name);
      case "offer":
        return this.answer(from, data, peer);
      case "answer":
        if (!peer || peer.cid !== data.cid || peer.pc.signalingState !== "have-local-offer") return;
        await peer.pc.setRemoteDescription({ type: "answer", sdp: data.sdp });
        await this.remoteDescribed(peer, data);
        return;
      case "ice":
        if (!peer || peer.cid !== data.cid || !data.candidate) return;
        if (peer.remoteSet) await peer.pc.addIceCandidate(data.candidate).catch(() => {});
        else peer.pendingIce.push(data.candidate);
        return;
      case "media":
        if (!peer) return;
        peer.media = { camera: !!data.camera, share: !!data.share };
        this.refresh(peer);
        return;
      case "bye":
        if (peer) this.dropPeer(peer);
        else this.announce(from, null, false);
        return;
    }
  }

  makePeer(id, name, cid) {
    const iceServers = JSON.parse(JSON.stringify(this.view.iceServers || [])); // plain copy of the Vue prop
    const pc = new RTCPeerConnection({ iceServers });
    const peer = {
      id, cid, pc, name: String(name || ""), tx: null, remoteSet: false, pendingIce: [],
      media: { camera: false, share: false }, live: true, shown: { camera: false, content: false }, streams: null,
      graceTimer: null,
    };
    pc.onicecandidate = (e) => {
      if (e.candidate && this.peers.get(id) === peer) this.send(id, { type: "ice", cid, candidate: e.candidate.toJSON() });
    };
    pc.onconnectionstatechange = () => this.onConnectionState(peer);
    this.peers.set(id, peer);
    return peer;
  }

  /** Transceivers in m-line order: audio, camera video, content video. */
  async bindTransceivers(peer, transceivers) {
    const [audio, camera, content] = transceivers;
    peer.tx = { audio, camera, content };
    for (const t of transceivers) t.direction = "sendrecv";
    await Promise.all([
      audio.sender.replaceTrack(this.mic),
      camera.sender.replaceTrack(this.camera),
      content.sender.replaceTrack(this.share),
    ]);
    peer.streams = {
      audio: new MediaStream([audio.receiver.track]),
      camera: new MediaStream([camera.receiver.track]),
      content: new MediaStream([content.receiver.track]),
    };
  }

  /** UI work waits until the offer/answer is on its way: the handshake is the latency that matters. */
  showPeer(peer) {
    this.announce(peer.id, peer.name, true);
    this.view.setRemoteAudio(peer.id, peer.streams.audio);
  }

  async offerTo(id, name) {
    const peer = this.makePeer(id, name, randomId());
    const kinds = ["audio", "video", "video"];
    await this.bindTransceivers(peer, kinds.map((k) => peer.pc.addTransceiver(k, { direction: "sendrecv" })));
    await peer.pc.setLocalDescription(await peer.pc.createOffer());
    if (this.peers.get(id) !== peer) return;
    this.send(id, {
      type: "offer", cid: peer.cid, sdp: peer.pc.localDescription.sdp, name: this.name,
      camera: !!this.camera, share: !!this.share,
    });
    this.showPeer(peer);
  }

  async answer(id, data, existing) {
    if (existing && existing.cid === data.cid) return; // duplicate
    if (existing) {
      // glare (both sent an offer): the attendee with the greater id keeps its own offer
      if (existing.pc.signalingState === "have-local-offer" && this.self > id) return;
      this.dropPeer(existing, { replaced: true });
    }
    const peer = this.makePeer(id, data.name, data.cid);
    await peer.pc.setRemoteDescription({ type: "offer", sdp: data.sdp });
    const transceivers = peer.pc.getTransceivers();
    const kinds = transceivers.map((t) => t.receiver.track.kind).join(",");
    if (kinds !== "audio,video,video") {
      this.dropPeer(peer);
      throw new Error(`unexpected offer layout ${kinds}`);
    }
    await this.bindTransceivers(peer, transceivers);
    await peer.pc.setLocalDescription(await peer.pc.createAnswer());
    if (this.peers.get(id) !== peer) return;
    this.send(id, { type: "answer", cid: peer.cid, sdp: peer.pc.localDescription.sdp, camera: !!this.camera, share: !!this.share });
    this.showPeer(peer);
    await this.remoteDescribed(peer, data);
  }

  async remoteDescribed(peer, data) {
    peer.remoteSet = true;
    const queued = peer.pendingIce.splice(0);
    for (const candidate of queued) await peer.pc.addIceCandidate(candidate).catch(() => {});
    peer.media = { camera: !!data.camera, share: !!data.share };
    this.refresh(peer);
  }

  onConnectionState(peer) {
    if (this.peers.get(peer.id) !== peer) return;
    const state = peer.pc.connectionState;
    clearTimeout(peer.graceTimer);
    if (state === "connected") {
      peer.live = true;
      this.refresh(peer);
    } else if (state === "disconnected") {
      peer.live = false;
      this.refresh(peer);
      peer.graceTimer = setTimeout(() => this.lost(peer), DISCONNECTED_GRACE_MS);
    } else if (state === "failed" || state === "closed") {
      this.lost(peer);
    }
  }

  lost(peer) {
    if (this.peers.get(peer.id) !== peer) return;
    this.dropPeer(peer);
    // if the other side is in fact still there, it answers this hello with a fresh offer
    if (this.ready) this.send(peer.id, { type: "hello", name: this.name });
  }

  /** Emit tile/content events for changes between what peer.media says and what is shown. */
  refresh(peer) {
    const want = { camera: peer.media.camera && peer.live, content: peer.media.share && peer.live };
    if (want.camera !== peer.shown.camera) {
      peer.shown.camera = want.camera;
      this.view.setRemoteCamera(peer.id, want.camera ? peer.streams && peer.streams.camera : null);
      this.view.fire("videoTile", { attendee_id: peer.id, on: want.camera, local: false, content: false });
    }
    if (want.content !== peer.shown.content) {
      peer.shown.content = want.content;
      this.view.setContent(peer.id, want.content ? peer.streams && peer.streams.content : null);
      this.view.fire("videoTile", { attendee_id: peer.id, on: want.content, local: false, content: true });
      this.view.fire("contentShare", { attendee_id: peer.id, on: want.content, local: false });
    }
  }

  /** Close a connection. `replaced`: a new connection to the same attendee follows (no attendeeLeft). */
  dropPeer(peer, { replaced = false, quiet = false } = {}) {
    if (this.peers.get(peer.id) === peer) this.peers.delete(peer.id);
    clearTimeout(peer.graceTimer);
    peer.pc.onconnectionstatechange = null;
    peer.pc.onicecandidate = null;
    peer.pc.close();
    peer.media = { camera: false, share: false };
    if (!quiet) this.refresh(peer);
    else {
      this.view.setRemoteCamera(peer.id, null);
      this.view.setContent(peer.id, null);
    }
    this.view.setRemoteAudio(peer.id, null);
    if (!replaced) this.announce(peer.id, peer.name, false, quiet);
  }

  announce(id, name, present, quiet = false) {
    if (present) {
      this.view.upsertRemote(id, { name: name || "" });
      if (this.present.has(id)) return;
      this.present.add(id);
      this.view.fire("attendeeJoined", { attendee_id: id, name: this.view.nameOf(id, null, name) });
    } else {
      const known = this.present.delete(id);
      const display = this.view.nameOf(id, null, name);
      this.view.removeRemote(id);
      if (known && !quiet) this.view.fire("attendeeLeft", { attendee_id: id, name: display });
    }
  }

  peerStates() {
    return [...this.peers.values()].map((p) => ({ attendee_id: p.id, state: p.pc.connectionState, signaling: p.pc.signalingState }));
  }

  async stats() {
    const reports = await Promise.all([...this.peers.values()].map((p) => p.pc.getStats().catch(() => null)));
    return collectStats(reports, this.view.remoteVideoElement());
  }
}

// ------------------------------------------------------------------------------------------- chime engine

/** Amazon Chime SDK JS 3.x session behind the same view and events. */
class ChimeEngine {
  constructor(view) {
    this.view = view;
    this.sdk = null;
    this.session = null;
    this.av = null;
    this.joined = false;
    this.started = false;
    this.self = null;
    this.cameraOnFlag = false;
    this.cameraDevice = null;
    this.sharing = false;
    this.muted = false;
    this.tiles = new Map(); // tileId -> {attendeeId, local, content}
    this.present = new Map(); // attendeeId -> externalUserId
    this.prefs = { audio_input: null, video_input: null, audio_output: null, quality: "720p" };
    this.deviceController = null;
    this.logger = null;
    this.joinTimer = null;
  }

  async sdkOrError() {
    try {
      this.sdk = await loadChime(this.view.bundleUrl());
      if (!this.logger) this.logger = new this.sdk.ConsoleLogger("vce-meeting", this.sdk.LogLevel.WARN);
      return this.sdk;
    } catch (err) {
      this.view.reportError("bundle-failed", errorMessage(err));
      return null;
    }
  }

  async listDevices() {
    const sdk = await this.sdkOrError();
    if (!sdk) return null;
    const dc = this.av || this.deviceController || (this.deviceController = new sdk.DefaultDeviceController(this.logger));
    const list = async (force) => {
      const [audioIn, videoIn, audioOut] = await Promise.all([
        dc.listAudioInputDevices(force), dc.listVideoInputDevices(force), dc.listAudioOutputDevices(force),
      ]);
      return [...audioIn, ...videoIn, ...audioOut];
    };
    let devices = await list(false);
    if (labelsMissing(devices)) {
      await requestPermission(this.view);
      devices = await list(true);
    }
    return devicesPayload(devices);
  }

  async join(info, options) {
    if (this.joined) return;
    Object.assign(this.prefs, options);
    this.joined = true;
    const sdk = await this.sdkOrError();
    if (!sdk) return this.failJoin(null);
    if (!this.joined) return; // left while the bundle loaded
    try {
      const config = new sdk.MeetingSessionConfiguration({ Meeting: info.Meeting }, { Attendee: info.Attendee });
      this.self = config.credentials.attendeeId;
      const dc = this.deviceController || new sdk.DefaultDeviceController(this.logger);
      this.deviceController = null; // now owned (and destroyed) by the session
      this.session = new sdk.DefaultMeetingSession(config, this.logger, dc);
      this.av = this.session.audioVideo;
      this.observe();
      await this.av.bindAudioElement(this.view.audioElement("chime"));
      if (this.prefs.audio_output) await this.av.chooseAudioOutput(this.prefs.audio_output).catch(() => {});
      this.applyQuality();
      this.view.setJoined(true);
      await this.startMic();
      if (!this.joined) return;
      const session = this.session;
      this.joinTimer = setTimeout(() => {
        if (this.session !== session || this.started) return;
        this.failJoin(new Error(`no connection to the meeting after ${CHIME_JOIN_TIMEOUT_MS / 1000} s`));
      }, CHIME_JOIN_TIMEOUT_MS);
      this.av.start();
    } catch (err) {
      this.failJoin(err);
    }
  }

  failJoin(err) {
    if (err) this.view.reportError("join-failed", errorMessage(err));
    this.teardown();
    this.view.fire("left", { reason: "error" });
  }

  applyQuality() {
    const [w, h, fps] = qualityOf(this.prefs.quality);
    this.av.chooseVideoInputQuality(w, h, fps);
  }

  async startMic() {
    let device = this.prefs.audio_input;
    try {
      if (!device) {
        const inputs = await this.av.listAudioInputDevices();
        device = inputs.length ? inputs[0].deviceId : null;
      }
      if (!device) throw Object.assign(new Error("no microphone found"), { name: "NotFoundError" });
      await this.av.startAudioInput(device);
      if (this.muted) this.av.realtimeMuteLocalAudio();
    } catch (err) {
      this.view.reportError(mediaErrorCode(err, "audio"), errorMessage(err));
    }
  }

  observe() {
    const sdk = this.sdk;
    this.av.addObserver({
      audioVideoDidStart: () => {
        clearTimeout(this.joinTimer);
        this.started = true;
        this.view.fire("joined", { attendee_id: this.self });
        if (this.prefs.camera_on) this.setCamera(true);
      },
      audioVideoDidStop: (status) => {
        const code = status && status.statusCode ? status.statusCode() : null;
        const names = sdk.MeetingSessionStatusCode || {};
        let reason = "error";
        if (code === names.Left) reason = "left";
        else if (CHIME_ENDED_CODES.some((n) => names[n] !== undefined && names[n] === code)) reason = "ended";
        if (!this.started && reason === "error") this.view.reportError("join-failed", `session stopped (status ${code})`);
        const wasJoined = this.joined;
        this.teardown({ stopSession: false });
        if (wasJoined) this.view.fire("left", { reason });
      },
      videoTileDidUpdate: (tile) => this.tileUpdated(tile),
      videoTileWasRemoved: (tileId) => this.tileRemoved(tileId),
    });
    this.av.addContentShareObserver({
      contentShareDidStart: () => this.emitLocalShare(true),
      contentShareDidStop: () => this.emitLocalShare(false),
    });
    this.av.realtimeSubscribeToAttendeeIdPresence((attendeeId, present, externalUserId) => {
      if (!attendeeId || attendeeId === this.self || attendeeId.includes("#")) return;
      if (present && !this.present.has(attendeeId)) {
        this.present.set(attendeeId, externalUserId || "");
        this.view.upsertRemote(attendeeId, { name: externalUserId || "", external: externalUserId || "" });
        this.view.fire("attendeeJoined", { attendee_id: attendeeId, name: this.view.nameOf(attendeeId, externalUserId) });
      } else if (!present && this.present.has(attendeeId)) {
        const external = this.present.get(attendeeId);
        this.present.delete(attendeeId);
        const name = this.view.nameOf(attendeeId, external);
        this.view.removeRemote(attendeeId);
        this.view.fire("attendeeLeft", { attendee_id: attendeeId, name });
      }
    });
  }

  emitLocalShare(on) {
    if (this.sharing === on) return;
    this.sharing = on;
    this.view.fire("videoTile", { attendee_id: this.self, on, local: true, content: true });
    this.view.fire("contentShare", { attendee_id: this.self, on, local: true });
  }

  tileUpdated(tile) {
    if (!tile || !tile.boundAttendeeId) return;
    const content = !!tile.isContent;
    const attendeeId = content ? tile.boundAttendeeId.split("#")[0] : tile.boundAttendeeId;
    if (content && attendeeId === this.self) return; // our own share: reported by the content share observer
    const local = !!tile.localTile;
    const on = !!tile.active;
    const known = this.tiles.get(tile.tileId);
    if (known && known.on === on) return;
    const entry = { attendeeId, local, content, on };
    this.tiles.set(tile.tileId, entry);
    this.showTile(tile.tileId, entry);
  }

  tileRemoved(tileId) {
    const entry = this.tiles.get(tileId);
    if (!entry) return;
    this.tiles.delete(tileId);
    if (entry.on) this.showTile(tileId, { ...entry, on: false });
  }

  showTile(tileId, { attendeeId, local, content, on }) {
    if (local) {
      this.view.setLocalVideo(on ? { chimeTile: tileId } : null, attendeeId);
    } else if (content) {
      this.view.setContent(attendeeId, on ? { chimeTile: tileId } : null);
    } else {
      if (on && !this.present.has(attendeeId)) this.view.upsertRemote(attendeeId, { name: "" });
      this.view.setRemoteCamera(attendeeId, on ? { chimeTile: tileId } : null);
    }
    if (!this.view.alive) return;
    this.view.fire("videoTile", { attendee_id: attendeeId, on, local, content });
    if (content) this.view.fire("contentShare", { attendee_id: attendeeId, on, local: false });
  }

  /** Called by the view when a <video> for a tile is in the DOM. */
  bindElement(source, el) {
    if (this.av && source && source.chimeTile !== undefined) this.av.bindVideoElement(source.chimeTile, el);
  }

  leave() {
    if (this.av && this.started) {
      this.av.stop(); // -> audioVideoDidStop(Left) -> left
    } else if (this.joined) {
      this.teardown();
      this.view.fire("left", { reason: "left" });
    }
  }

  setMuted(muted) {
    this.muted = !!muted;
    if (!this.av) return;
    if (this.muted) this.av.realtimeMuteLocalAudio();
    else this.av.realtimeUnmuteLocalAudio();
  }

  async setCamera(on) {
    if (!this.av) return;
    if (on) {
      try {
        let device = this.prefs.video_input;
        if (!device) {
          const inputs = await this.av.listVideoInputDevices();
          device = inputs.length ? inputs[0].deviceId : null;
        }
        if (!device) throw Object.assign(new Error("no camera found"), { name: "NotFoundError" });
        await this.av.startVideoInput(device);
        this.cameraDevice = device;
        this.cameraOnFlag = true;
        this.av.startLocalVideoTile();
      } catch (err) {
        this.view.reportError(mediaErrorCode(err, "video"), errorMessage(err));
      }
    } else if (this.cameraOnFlag) {
      this.cameraOnFlag = false;
      this.av.stopLocalVideoTile();
      await this.av.stopVideoInput().catch(() => {});
    }
  }

  async startShare() {
    if (!this.av || this.sharing) return;
    try {
      await this.av.startContentShareFromScreenCapture();
    } catch (err) {
      const name = errorName(err);
      const cancelled = name === "NotAllowedError" || name === "AbortError" || name === "PermissionDeniedError";
      this.view.reportError(cancelled ? "share-cancelled" : "share-failed", errorMessage(err));
    }
  }

  stopShare() {
    if (this.av) this.av.stopContentShare();
  }

  async chooseDevices(choice) {
    const given = (key) => choice[key] !== null && choice[key] !== undefined;
    for (const key of Object.keys(choice)) if (given(key)) this.prefs[key] = choice[key];
    if (given("audio_output")) this.view.setAudioOutput(choice.audio_output);
    if (!this.av) return;
    try {
      if (given("audio_output")) await this.av.chooseAudioOutput(choice.audio_output);
      if (given("audio_input")) await this.av.startAudioInput(choice.audio_input);
      if (given("quality")) this.applyQuality();
      if ((given("video_input") || given("quality")) && this.cameraOnFlag) {
        await this.av.startVideoInput(this.prefs.video_input || this.cameraDevice);
      }
    } catch (err) {
      this.view.reportError(given("video_input") ? "no-camera" : "no-microphone", errorMessage(err));
    }
  }

  receive() {} // signalling is the Chime service's job

  /** Release the session and clear the view without further events (`left` is the caller's job). */
  teardown({ stopSession = true } = {}) {
    clearTimeout(this.joinTimer);
    this.joined = false;
    this.started = false;
    const av = this.av;
    this.av = null;
    for (const entry of this.tiles.values()) {
      if (entry.local) this.view.setLocalVideo(null, entry.attendeeId);
      else if (entry.content) this.view.setContent(entry.attendeeId, null);
      else this.view.setRemoteCamera(entry.attendeeId, null);
    }
    this.tiles.clear();
    for (const id of this.present.keys()) this.view.removeRemote(id);
    this.present.clear();
    this.sharing = false;
    this.cameraOnFlag = false;
    this.view.setJoined(false);
    if (av) {
      const quietly = (call) => {
        try {
          const result = call();
          if (result && result.catch) result.catch(() => {});
        } catch (err) {
          /* nothing left to release */
        }
      };
      if (stopSession) quietly(() => av.stop());
      quietly(() => av.stopContentShare());
      quietly(() => av.stopVideoInput());
      quietly(() => av.stopAudioInput());
      quietly(() => av.unbindAudioElement());
    }
    if (this.session && this.session.deviceController && this.session.deviceController.destroy) {
      this.session.deviceController.destroy().catch(() => {});
    }
    this.session = null;
  }

  close() {
    this.teardown();
    if (this.deviceController && this.deviceController.destroy) this.deviceController.destroy().catch(() => {});
    this.deviceController = null;
  }

  peerStates() {
    return [...this.present.keys()].map((id) => ({ attendee_id: id, state: this.started ? "connected" : "new", signaling: null }));
  }

  async stats() {
    let report = null;
    if (this.av && this.av.getRTCPeerConnectionStats) report = await this.av.getRTCPeerConnectionStats().catch(() => null);
    return collectStats([report], this.view.remoteVideoElement());
  }
}

// ------------------------------------------------------------------------------------------- component

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
    this.registryKey = this.$el.id || `meeting-${randomId()}`;
    window.__vceMeetings = window.__vceMeetings || {};
    window.__vceMeetings[this.registryKey] = {
      backend: this.backend,
      stats: () => this.engine.stats(),
      peers: () => this.engine.peerStates(),
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
      this.stopPreview(true);
      const opts = Object.assign({ audio_input: null, video_input: null, audio_output: null, quality: "720p", camera_on: false }, options || {});
      if (opts.audio_output) this.setAudioOutput(opts.audio_output);
      return this.engine.join(joinInfo || {}, opts).catch((err) => {
        this.reportError("join-failed", errorMessage(err));
      });
    },
    leave() {
      this.engine.leave();
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
