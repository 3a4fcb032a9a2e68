// Bare two-page WebRTC call for benchmarks/escalation.py: what the product's join does, without NiceGUI.
// agent.html: camera + microphone open at load, answers nothing, offers when the customer says hello.
// customer.html: "Join" opens the microphone, says hello; answers the offer; first remote frame is timed.
// Signalling: one WebSocket per page to server.py, which relays each message to the other page. Trickle ICE.
"use strict";

// the same capture constraints as the product's 720p camera (ui_common/meeting/meeting.js QUALITIES)
const CAMERA = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 15, max: 15 } };

// ?layout=bare (default): addTrack for each local track (2 m-lines).
// ?layout=product: the product's fixed layout, three sendrecv transceivers (audio, camera, content) + replaceTrack,
// to tell the cost of that layout from the cost of the framework around it.
const PARAMS = new URLSearchParams(location.search);
const LAYOUT = PARAMS.get("layout") === "product" ? "product" : "bare";
const ROOM = encodeURIComponent(PARAMS.get("room") || "default");

const B = (window.B = {
  role: document.body.dataset.role,
  layout: LAYOUT,
  ws: null, pc: null, local: null, remoteSet: false, pendingIce: [],
  tClick: null, firstFrame: null, connected: null,
  now: () => performance.timeOrigin + performance.now(),

  open() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(`ws://${location.host}/ws/${ROOM}/${this.role}`);
      this.ws.onopen = () => resolve();
      this.ws.onerror = (e) => reject(e);
      this.ws.onmessage = (e) => this.onSignal(JSON.parse(e.data));
    });
  },
  send(msg) { this.ws.send(JSON.stringify(msg)); },

  newPc() {
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.onicecandidate = (e) => e.candidate && this.send({ type: "ice", candidate: e.candidate.toJSON() });
    pc.onconnectionstatechange = () => { if (pc.connectionState === "connected" && !this.connected) this.connected = this.now(); };
    pc.ontrack = (e) => {
      if (this.layout === "product" && e.transceiver !== pc.getTransceivers()[1] && e.track.kind === "video") return;
      if (e.track.kind !== "video") {
        const a = document.getElementById("audio");
        a.srcObject = new MediaStream([e.track]);
        a.play().catch(() => {});
        return;
      }
      const v = document.getElementById("remote");
      v.srcObject = new MediaStream([e.track]);
      v.play().catch(() => {});
      v.requestVideoFrameCallback(() => { if (this.firstFrame === null) this.firstFrame = this.now(); });
    };
    if (this.layout === "bare") this.local.getTracks().forEach((t) => pc.addTrack(t, this.local));
    this.pc = pc; this.remoteSet = false; this.pendingIce = [];
    return pc;
  },
  /** product layout: put [mic, camera, no content] on the three transceivers */
  async bindTransceivers(transceivers) {
    const mic = this.local.getAudioTracks()[0] || null;
    const camera = this.local.getVideoTracks()[0] || null;
    for (const t of transceivers) t.direction = "sendrecv";
    await Promise.all([transceivers[0].sender.replaceTrack(mic), transceivers[1].sender.replaceTrack(camera),
                       transceivers[2].sender.replaceTrack(null)]);
  },
  async described() {
    this.remoteSet = true;
    for (const c of this.pendingIce.splice(0)) await this.pc.addIceCandidate(c).catch(() => {});
  },

  async onSignal(m) {
    if (m.type === "hello" && this.role === "agent") {
      this.close();
      const pc = this.newPc();
      if (this.layout === "product") {
        await this.bindTransceivers(["audio", "video", "video"].map((k) => pc.addTransceiver(k, { direction: "sendrecv" })));
      }
      await pc.setLocalDescription(await pc.createOffer());
      this.send({ type: "offer", sdp: pc.localDescription.sdp });
    } else if (m.type === "offer" && this.role === "customer") {
      const pc = this.newPc();
      await pc.setRemoteDescription({ type: "offer", sdp: m.sdp });
      if (this.layout === "product") await this.bindTransceivers(pc.getTransceivers());
      await pc.setLocalDescription(await pc.createAnswer());
      this.send({ type: "answer", sdp: pc.localDescription.sdp });
      await this.described();
    } else if (m.type === "answer" && this.pc) {
      await this.pc.setRemoteDescription({ type: "answer", sdp: m.sdp });
      await this.described();
    } else if (m.type === "ice" && this.pc) {
      if (this.remoteSet) await this.pc.addIceCandidate(m.candidate).catch(() => {});
      else this.pendingIce.push(m.candidate);
    } else if (m.type === "bye") {
      this.close();
    }
  },

  // agent: the camera is already on before the customer joins
  async startAgent() {
    this.local = await navigator.mediaDevices.getUserMedia({ audio: true, video: CAMERA });
    document.getElementById("local").srcObject = this.local;
    if (!this.ws) await this.open();
    return this.local.getTracks().map((t) => t.kind);
  },
  // agent: camera and microphone off between calls (as the product's agent, who leaves and rejoins)
  stopAgent() {
    this.close();
    if (this.local) this.local.getTracks().forEach((t) => t.stop());
    this.local = null;
    document.getElementById("local").srcObject = null;
  },

  // customer: the timed part starts with the Join click
  async join() {
    this.tClick = this.now();
    this.firstFrame = this.connected = null;
    this.local = await navigator.mediaDevices.getUserMedia({ audio: true });
    this.send({ type: "hello" });
  },
  leave() {
    this.send({ type: "bye" });
    this.close();
    if (this.local) this.local.getTracks().forEach((t) => t.stop());
    this.local = null;
  },
  close() {
    if (this.pc) this.pc.close();
    this.pc = null;
    const v = document.getElementById("remote");
    if (v) v.srcObject = null;
  },
});
