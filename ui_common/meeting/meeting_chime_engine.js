// The meeting element's "chime" engine: Amazon Chime SDK JS 3.x, loaded on first use from a vendored IIFE bundle.

import {
  collectStats, devicesPayload, errorMessage, errorName, labelsMissing, mediaErrorCode, qualityOf, requestPermission,
} from "meeting_media";
import { loadScript } from "script_loader";

// A Chime session that has not started by then is given up (the SDK itself keeps retrying unreachable endpoints).
const CHIME_JOIN_TIMEOUT_MS = 30000;
const CHIME_ENDED_CODES = ["MeetingEnded", "AudioCallEnded", "AudioAttendeeRemoved"];

/** Insert the Chime SDK <script> once per document and wait for it. */
function loadChime(url) {
  return loadScript(url, { ready: () => window.ChimeSDK, name: "window.ChimeSDK", marker: "data-vce-chime" });
}

/** Amazon Chime SDK JS 3.x session behind the same view and events. */
export class ChimeEngine {
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
        // the camera button was switched to "on" before the camera opened: say that it is off after all
        if (!this.cameraOnFlag) this.view.fire("videoTile", { attendee_id: this.self, on: false, local: true, content: false });
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
