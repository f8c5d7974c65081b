// The browser half of asrlib.recorder.Recorder (an anywidget ES module).
const WORKLET = `
class AsrlibTap extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
}
registerProcessor("asrlib-tap", AsrlibTap);
`;

function wavBlob(samples, rate) {
  const view = new DataView(new ArrayBuffer(44 + 2 * samples.length));
  const text = (offset, s) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF"); view.setUint32(4, 36 + 2 * samples.length, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
  view.setUint16(22, 1, true); view.setUint32(24, rate, true); view.setUint32(28, 2 * rate, true);
  view.setUint16(32, 2, true); view.setUint16(34, 16, true);
  text(36, "data"); view.setUint32(40, 2 * samples.length, true);
  samples.forEach((x, i) => view.setInt16(44 + 2 * i, Math.max(-1, Math.min(1, x)) * 32767, true));
  return new Blob([view], { type: "audio/wav" });
}

function join(chunks) {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

function micError(err) {
  if (err.name === "NotAllowedError" || err.name === "SecurityError")
    return "Microphone access was denied. Allow it for this page (the icon in the address bar) and press Record again, or upload a file.";
  if (err.name === "NotFoundError" || err.name === "OverconstrainedError")
    return "No microphone was found. Plug one in and press Record again, or upload a file.";
  if (err.name === "NotReadableError")
    return "The microphone is busy or failed to start (another program may be using it). Close it and try again, or upload a file.";
  return `The microphone could not start (${err.name}: ${err.message}). Upload a file instead.`;
}

async function startContext(stream, rate) {
  // 16 kHz where the browser allows it; Firefox refuses a microphone at another rate.
  for (const options of [{ sampleRate: rate }, {}]) {
    const ctx = new AudioContext(options);
    try {
      const url = URL.createObjectURL(new Blob([WORKLET], { type: "application/javascript" }));
      await ctx.audioWorklet.addModule(url);
      const source = ctx.createMediaStreamSource(stream);
      return { ctx, source };
    } catch (err) {
      await ctx.close();
      if (!options.sampleRate) throw err;
    }
  }
}

function render({ model, el }) {
  el.classList.add("asrlib-recorder");
  const make = (tag, props = {}) => Object.assign(document.createElement(tag), props);
  const record = make("button", { textContent: "● Record", className: "asrlib-record" });
  const stop = make("button", { textContent: "■ Stop", className: "asrlib-stop", disabled: true });
  const upload = make("input", { type: "file", accept: "audio/*", className: "asrlib-upload" });
  const meter = make("div", { className: "asrlib-meter" });
  const bar = make("div", { className: "asrlib-level" });
  const status = make("div", { className: "asrlib-status", textContent: "Press Record and speak, or upload a recording." });
  const player = make("audio", { controls: true, className: "asrlib-player" });
  meter.append(bar);
  const row = make("div", { className: "asrlib-row" });
  row.append(record, stop, meter, make("span", { textContent: " or upload: " }), upload);
  el.append(row, status, player);

  let session = null;
  const say = (text, kind = "info") => {
    status.textContent = text;
    status.dataset.kind = kind;
    model.set("status", text);
    model.set("error", kind === "error" ? text : "");
    model.save_changes();
  };
  const send = (samples, rate, source, note = "") => {
    model.set("rate", rate);
    model.set("source", source);
    model.set("audio", new DataView(samples.buffer));
    model.save_changes();
    player.src = URL.createObjectURL(wavBlob(samples, rate));
    say(`${note}${(samples.length / rate).toFixed(1)} s from ${source} sent to Python.`, "ok");
  };

  // Streaming (stream_ms > 0): the audio also goes to Python while recording, a chunk every
  // stream_ms as a custom message with the float32 samples as a binary buffer; the last one
  // says end: true. Python transcribes as it arrives (asrlib.live).
  const streamOut = (end) => {
    if (!session || !(model.get("stream_ms") > 0)) return;
    const samples = join(session.pending);
    session.pending = []; session.pendingCount = 0;
    model.send({ type: "chunk", seq: session.seq++, rate: session.ctx.sampleRate, end },
               undefined, [samples.buffer]);
  };

  const finish = async (why) => {
    if (!session) return;
    streamOut(true);
    const { ctx, stream, chunks } = session;
    session = null;
    stream.getTracks().forEach((t) => t.stop());
    await ctx.close();
    record.disabled = false; stop.disabled = true; bar.style.width = "0%";
    const samples = join(chunks);
    if (samples.length < 0.1 * ctx.sampleRate) {
      say("Nothing was recorded (under 0.1 s). Press Record, speak, then Stop.", "error");
      return;
    }
    send(samples, ctx.sampleRate, "microphone", why ? `${why} ` : "");
  };

  record.onclick = async () => {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("This page cannot use a microphone: browsers allow it only on https:// or localhost pages. Upload a file instead.", "error");
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (err) {
      say(micError(err), "error");
      return;
    }
    let started;
    try {
      started = await startContext(stream, model.get("sample_rate"));
    } catch (err) {
      stream.getTracks().forEach((t) => t.stop());
      say(`Audio could not start in this browser (${err.name}: ${err.message}). Upload a file instead.`, "error");
      return;
    }
    const { ctx, source } = started;
    const tap = new AudioWorkletNode(ctx, "asrlib-tap");
    const mute = ctx.createGain();
    mute.gain.value = 0;  // keeps the graph running without playing the microphone back
    source.connect(tap).connect(mute).connect(ctx.destination);
    session = { ctx, stream, chunks: [], pending: [], pendingCount: 0, seq: 0 };
    const every = (model.get("stream_ms") / 1000) * ctx.sampleRate;
    const limit = model.get("max_seconds") * ctx.sampleRate;
    let count = 0;
    tap.port.onmessage = (event) => {
      if (!session) return;
      const chunk = event.data;
      session.chunks.push(chunk);
      count += chunk.length;
      if (every > 0) {
        session.pending.push(chunk);
        session.pendingCount += chunk.length;
        if (session.pendingCount >= every) streamOut(false);
      }
      let peak = 0;
      for (const x of chunk) peak = Math.max(peak, Math.abs(x));
      bar.style.width = `${Math.min(100, 100 * Math.sqrt(peak))}%`;
      if (count >= limit) finish(`Stopped at the ${model.get("max_seconds")} s limit (Recorder(max_seconds=...) raises it).`);
    };
    record.disabled = true; stop.disabled = false;
    say("Recording… press Stop when you are done.", "recording");
  };
  stop.onclick = () => finish("");

  upload.onchange = async () => {
    const file = upload.files[0];
    if (!file) return;
    const limitMB = model.get("max_upload_mb");
    if (file.size > limitMB * 1e6) {
      say(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${limitMB} MB. Cut it to one utterance, or raise Recorder(max_upload_mb=...).`, "error");
      return;
    }
    const rate = model.get("sample_rate");
    const ctx = new OfflineAudioContext(1, 1, rate);
    let decoded;
    try {
      decoded = await ctx.decodeAudioData(await file.arrayBuffer());  // resampled to `rate`
    } catch (err) {
      say(`${file.name} could not be decoded as audio by this browser. Use WAV, MP3, OGG or M4A.`, "error");
      return;
    }
    const n = Math.min(decoded.length, Math.round(model.get("max_seconds") * decoded.sampleRate));
    const samples = new Float32Array(n);
    for (let c = 0; c < decoded.numberOfChannels; c++) {
      const channel = decoded.getChannelData(c);
      for (let i = 0; i < n; i++) samples[i] += channel[i] / decoded.numberOfChannels;
    }
    const cut = n < decoded.length
      ? `Kept the first ${model.get("max_seconds")} s of ${decoded.duration.toFixed(0)} s (Recorder(max_seconds=...) raises the limit). ` : "";
    send(samples, decoded.sampleRate, `upload ${file.name}`, cut);
  };
  return () => finish("");
}

export default { render };
