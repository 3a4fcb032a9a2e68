// Browser media helpers shared by the meeting view and both engines: error codes, device constraints, tracks,
// device lists and call statistics.

const QUALITIES = { "360p": [640, 360, 15], "540p": [960, 540, 15], "720p": [1280, 720, 15] };

export function errorName(err) {
  return (err && err.name) || "";
}

export function errorMessage(err) {
  if (!err) return "unknown error";
  return String(err.message || err.name || err);
}

/** Map a getUserMedia failure to one of the element's error codes. */
export function mediaErrorCode(err, kind) {
  const name = errorName(err);
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
    return "permission-denied";
  }
  return kind === "video" ? "no-camera" : "no-microphone";
}

export function qualityOf(quality) {
  return QUALITIES[quality] || QUALITIES["720p"];
}

export function videoConstraints(deviceId, quality) {
  const [width, height, fps] = qualityOf(quality);
  const constraints = { width: { ideal: width }, height: { ideal: height }, frameRate: { ideal: fps, max: fps } };
  if (deviceId) constraints.deviceId = { exact: deviceId };
  return constraints;
}

export function audioConstraints(deviceId) {
  return deviceId ? { deviceId: { exact: deviceId } } : true;
}

/** Open one track of `kind`; a missing chosen device falls back to the default one. */
export async function openTrack(kind, deviceId, quality) {
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

export function stopTrack(track) {
  if (track) track.stop();
}

export function randomId() {
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
}

export function devicesPayload(devices) {
  const pick = (kind) =>
    devices.filter((d) => d.kind === kind).map((d) => ({ id: d.deviceId || "", label: d.label || "" }));
  return { audio_inputs: pick("audioinput"), video_inputs: pick("videoinput"), audio_outputs: pick("audiooutput") };
}

export function labelsMissing(devices) {
  return devices.some((d) => (d.kind === "audioinput" || d.kind === "videoinput") && !d.label);
}

/** Ask for camera + microphone permission so that device labels become visible; report what failed. */
export async function requestPermission(view) {
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

export async function enumerate() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
  return navigator.mediaDevices.enumerateDevices();
}

export async function collectStats(reports, remoteVideo) {
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
