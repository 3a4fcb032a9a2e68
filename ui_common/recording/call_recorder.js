// Call recorder: records a local (browser-to-browser) video call in the agent's browser.
// Every frame, the meeting element's videos (screen share, the customer's camera, the agent's camera) are drawn onto
// one canvas; both voices (the agent's microphone and the customer's audio) are mixed with Web Audio; MediaRecorder
// encodes the two into WebM in chunks of a few seconds, and each chunk is uploaded in order, numbered, retried until
// the server has it. A reload or a dropped network loses at most the chunk being recorded; the page that comes back
// starts a new segment of the same recording (docs/recording.md).

const MIME_TYPES = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
const DRAIN_POLL_MS = 250; // on stop, ask the paused recorder for what the encoder finished this often…
const DRAIN_QUIET_MS = 1000; // …until nothing came for this long…
const DRAIN_MAX_MS = 8000; // …or this long after the stop at most
const TICKER = "let t=null;onmessage=(e)=>{clearInterval(t);if(e.data>0)t=setInterval(()=>postMessage(0),e.data);};";

function fit(ctx, video, x, y, w, h) {
  const vw = video.videoWidth;
  const vh = video.videoHeight;
  if (!vw || !vh) return false;
  const scale = Math.min(w / vw, h / vh);
  const dw = vw * scale;
  const dh = vh * scale;
  ctx.drawImage(video, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
  return true;
}

function label(ctx, text, x, y) {
  ctx.font = "20px sans-serif";
  const width = ctx.measureText(text).width + 16;
  ctx.fillStyle = "rgba(0,0,0,0.6)";
  ctx.fillRect(x, y - 26, width, 30);
  ctx.fillStyle = "#fff";
  ctx.fillText(text, x + 8, y - 5);
}

export default {
  template: `<span style="display:none" data-testid="call-recorder"></span>`,
  props: {
    meetingDomId: String,
    selfName: { type: String, default: "" },
    chunkMs: { type: Number, default: 2000 },
    width: { type: Number, default: 1280 },
    height: { type: Number, default: 720 },
    fps: { type: Number, default: 15 },
  },
  mounted() {
    this.run = null; // {recorder, canvas, ctx, audio, sources, queue, seq, ticket, ticker, stopping}
    window.__vceRecorder = this; // tests read the upload state
  },
  unmounted() {
    this.halt();
    if (window.__vceRecorder === this) delete window.__vceRecorder;
  },
  methods: {
    // ------------------------------------------------------------ called from Python
    start(ticket) {
      this.halt();
      const canvas = document.createElement("canvas");
      canvas.width = this.width;
      canvas.height = this.height;
      const ctx = canvas.getContext("2d");
      const audio = new AudioContext();
      const mix = audio.createMediaStreamDestination();
      // a silent tone keeps the audio track producing samples even before anyone speaks
      const hum = audio.createConstantSource();
      const quiet = audio.createGain();
      quiet.gain.value = 0;
      hum.connect(quiet).connect(mix);
      hum.start();
      audio.resume().catch(() => {});
      const run = {
        canvas, ctx, audio, mix, sources: new Map(), queue: [], seq: 0, ticket, stopping: false, uploading: false,
        finished: false, failed: false, bytes: 0, acknowledged: 0, sharedFrames: 0, mostCameras: 0,
      };
      this.run = run;
      this.lastRun = run; // read by tests: startedAt, stoppedAt, acknowledged chunks
      run.startedAt = run.lastDataAt = Date.now();
      this.draw(run);
      const stream = new MediaStream([...canvas.captureStream(this.fps).getVideoTracks(), ...mix.stream.getAudioTracks()]);
      const mimeType = MIME_TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || "";
      const recorder = new MediaRecorder(stream, { mimeType, videoBitsPerSecond: 1_200_000, audioBitsPerSecond: 64_000 });
      run.recorder = recorder;
      recorder.ondataavailable = (event) => {
        if (event.data && event.data.size) {
          run.lastDataAt = Date.now();
          this.enqueue(run, event.data, false);
        }
      };
      recorder.onstop = () => this.enqueue(run, new Blob([]), true);
      recorder.start(this.chunkMs);
      try {
        run.ticker = new Worker(URL.createObjectURL(new Blob([TICKER], { type: "text/javascript" })));
        run.ticker.onmessage = () => this.tick(run);
        run.ticker.postMessage(Math.round(1000 / this.fps));
      } catch (err) { // no workers: a timer (throttled in a background tab, which is why the worker comes first)
        run.timer = setInterval(() => this.tick(run), Math.round(1000 / this.fps));
      }
      this.$emit("started", { segment: ticket.segment });
    },
    stop() {
      const run = this.run;
      if (!run || run.stopping) return;
      run.stopping = true;
      run.stoppedAt = Date.now();
      this.stopTicker(run);
      const recorder = run.recorder;
      if (!recorder || recorder.state === "inactive") {
        this.stopDrawing(run);
        this.enqueue(run, new Blob([]), true);
        return;
      }
      recorder.pause(); // nothing after the stop is recorded; frames still in the encoder keep coming out
      run.lastDataAt = Date.now(); // the drain waits for a quiet spell after the stop, not since the last chunk
      this.drain(run).then(() => {
        this.stopDrawing(run);
        if (recorder.state !== "inactive") recorder.stop();
      });
    },
    state() { // for tests
      const run = this.lastRun;
      return run ? { startedAt: run.startedAt, stoppedAt: run.stoppedAt || null, acknowledged: run.acknowledged,
                     finished: run.finished, failed: run.failed, segment: run.ticket.segment,
                     sharedFrames: run.sharedFrames, mostCameras: run.mostCameras } : null;
    },
    // ------------------------------------------------------------ internals
    halt() { // the page goes away, or a new segment replaces this one: what was uploaded stays
      const run = this.run;
      this.run = null;
      if (!run) return;
      run.stopping = true;
      this.stopDrawing(run);
      if (run.recorder && run.recorder.state !== "inactive") {
        run.recorder.ondataavailable = null;
        run.recorder.onstop = null;
        run.recorder.stop();
      }
    },
    stopTicker(run) {
      if (run.ticker) run.ticker.terminate();
      if (run.timer) clearInterval(run.timer);
      run.ticker = run.timer = null;
    },
    stopDrawing(run) {
      this.stopTicker(run);
      if (run.shareEl) run.shareEl.srcObject = null;
      setTimeout(() => run.audio.close().catch(() => {}), 500);
    },
    async drain(run) {
      // The video encoder runs behind the canvas (seconds behind on a busy machine) and MediaRecorder.stop() drops
      // what it has not encoded yet: the file's video would end early. Paused, the recorder takes no new frames
      // or sound but still delivers the encoder's backlog; stop once nothing has come out for a while.
      const started = Date.now();
      while (Date.now() - started < DRAIN_MAX_MS && Date.now() - run.lastDataAt < DRAIN_QUIET_MS) {
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
        if (run.recorder.state !== "inactive") run.recorder.requestData();
      }
    },
    tick(run) {
      if (run !== this.run && !run.stopping) return;
      this.connectAudio(run);
      this.draw(run);
    },
    meetingRoot() {
      return document.getElementById(this.meetingDomId);
    },
    connectAudio(run) {
      const root = this.meetingRoot();
      const streams = [];
      const registry = (window.__vceMeetings || {})[this.meetingDomId];
      const mic = registry && registry.localAudio ? registry.localAudio() : null;
      if (mic && mic.readyState === "live") streams.push(new MediaStream([mic]));
      if (root) {
        for (const el of root.querySelectorAll(".vce-audio audio")) {
          if (el.srcObject instanceof MediaStream) streams.push(el.srcObject);
        }
      }
      const wanted = new Set();
      for (const stream of streams) {
        for (const track of stream.getAudioTracks()) {
          wanted.add(track.id);
          if (run.sources.has(track.id) || track.readyState !== "live") continue;
          const source = run.audio.createMediaStreamSource(new MediaStream([track]));
          source.connect(run.mix);
          run.sources.set(track.id, source);
        }
      }
      for (const [id, source] of run.sources) {
        if (!wanted.has(id)) {
          source.disconnect();
          run.sources.delete(id);
        }
      }
    },
    tiles(run) {
      const root = this.meetingRoot();
      if (!root) return { content: null, people: [] };
      const visible = (el) => el && el.srcObject && el.videoWidth > 0 && el.offsetParent !== null;
      const contentVideo = root.querySelector('[data-testid="meeting-content-video"]');
      const people = [];
      for (const tile of root.querySelectorAll(".vce-remote")) {
        const video = tile.querySelector("video");
        const plate = tile.querySelector(".vce-plate");
        people.push({ video: visible(video) ? video : null, name: plate ? plate.textContent : "" });
      }
      const local = root.querySelector('[data-testid="meeting-local-video"]');
      people.push({ video: visible(local) ? local : null, name: this.selfName || "Agent" });
      const content = visible(contentVideo) ? contentVideo : this.ownShare(run);
      return { content, people };
    },
    ownShare(run) { // the agent's own screen share: its page does not show it, so the recorder plays it itself
      const registry = (window.__vceMeetings || {})[this.meetingDomId];
      const track = registry && registry.localShare ? registry.localShare() : null;
      if (!track || track.readyState !== "live") {
        if (run.shareEl) run.shareEl.srcObject = null;
        return null;
      }
      if (!run.shareEl) {
        run.shareEl = document.createElement("video");
        run.shareEl.muted = true;
        run.shareEl.playsInline = true;
      }
      const current = run.shareEl.srcObject;
      if (!current || current.getVideoTracks()[0] !== track) {
        run.shareEl.srcObject = new MediaStream([track]);
        run.shareEl.play().catch(() => {});
      }
      return run.shareEl.videoWidth > 0 ? run.shareEl : null;
    },
    draw(run) {
      const { ctx } = run;
      const W = this.width;
      const H = this.height;
      ctx.fillStyle = "#101418";
      ctx.fillRect(0, 0, W, H);
      const { content, people } = this.tiles(run);
      if (content) run.sharedFrames += 1;
      run.mostCameras = Math.max(run.mostCameras, people.filter((person) => person.video).length);
      let area = { x: 0, y: 0, w: W, h: H };
      if (content) {
        const side = Math.round(W / 4);
        fit(ctx, content, 0, 0, W - side, H);
        area = { x: W - side, y: 0, w: side, h: H };
      }
      const vertical = !!content;
      const n = Math.max(1, people.length);
      people.forEach((person, i) => {
        const w = vertical ? area.w : area.w / n;
        const h = vertical ? Math.min(area.h / n, (area.w * 3) / 4) : area.h;
        const x = vertical ? area.x : area.x + i * w;
        const y = vertical ? area.y + i * h : area.y;
        ctx.fillStyle = "#263238";
        ctx.fillRect(x + 4, y + 4, w - 8, h - 8);
        if (!(person.video && fit(ctx, person.video, x + 4, y + 4, w - 8, h - 8))) {
          ctx.fillStyle = "#90a4ae";
          ctx.font = `${Math.round(Math.min(w, h) / 6)}px sans-serif`;
          ctx.textAlign = "center";
          ctx.fillText((person.name || "?").slice(0, 1).toUpperCase(), x + w / 2, y + h / 2);
          ctx.textAlign = "start";
        }
        if (person.name) label(ctx, person.name, x + 10, y + h - 10);
      });
      label(ctx, `REC ${new Date().toISOString().slice(0, 19).replace("T", " ")} UTC`, 10, 36);
    },
    enqueue(run, blob, last) {
      if (run.finished) return;
      run.queue.push({ seq: run.seq++, blob, last });
      run.bytes += blob.size;
      this.pump(run);
    },
    async pump(run) {
      if (run.uploading) return;
      run.uploading = true;
      let wait = 500;
      while (run.queue.length && !run.failed) {
        const chunk = run.queue[0];
        let response = null;
        try {
          response = await fetch(`${run.ticket.upload_url}/${chunk.seq}${chunk.last ? "?last=1" : ""}`, {
            method: "POST", body: chunk.blob, credentials: "same-origin", redirect: "error",
            headers: { "Content-Type": "application/octet-stream", "X-Recording-Token": run.ticket.token },
          });
        } catch (err) {
          response = null; // the network: try again
        }
        if (response && response.ok) {
          run.queue.shift();
          run.acknowledged += 1;
          wait = 500;
          if (chunk.last) {
            run.finished = true;
            this.$emit("finished", { segment: run.ticket.segment });
          }
          continue;
        }
        if (response && response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          run.failed = true; // refused for good (the recording stopped, or this page's slot was replaced)
          this.$emit("failed", { segment: run.ticket.segment, status: response.status });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(wait * 2, 5000);
      }
      run.uploading = false;
    },
  },
};
