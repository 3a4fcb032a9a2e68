// The meeting element's "local" engine: a browser WebRTC mesh whose signalling messages Python relays.

import { collectStats, errorMessage, errorName, mediaErrorCode, openTrack, randomId, stopTrack } from "meeting_media";

// A peer whose connection stays "disconnected" this long is treated as gone (Chrome says "failed" only after ~15 s).
const DISCONNECTED_GRACE_MS = 2000;

/** Browser WebRTC mesh: one RTCPeerConnection per other attendee, three fixed transceivers each. */
export class LocalEngine {
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
      // the camera button was switched to "on" before the camera opened: say that it is off after all
      if (wasOn) await this.cameraOff();
      else this.view.fire("videoTile", { attendee_id: this.self, on: false, local: true, content: false });
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
