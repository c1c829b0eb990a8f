// Testa utrustning: camera preview, microphone level, speaker test and device choice.
// The choice is kept in sessionStorage for the room (static/js/room.js).
import { loadDeviceChoice, saveDeviceChoice, mediaConstraints, mediaProblem } from "./media.js";

const root = document.querySelector("[data-device-check]");
const status = document.getElementById("device-status");
const preview = document.getElementById("device-preview");
const meter = document.getElementById("mic-level");
const selects = [...root.querySelectorAll("select[data-kind]")];
let stream = null;
let audioContext = null;
let meterFrame = 0;

function say(text, problem = false) {
  status.textContent = text;
  status.classList.toggle("note--warning", problem);
}

function supported() {
  return Boolean(navigator.mediaDevices?.getUserMedia && window.RTCPeerConnection);
}

function inAppBrowser() {
  return /FBAN|FBAV|Instagram|Line\/|MicroMessenger|Snapchat|; wv\)/.test(navigator.userAgent);
}

async function fillDeviceLists() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  const chosen = loadDeviceChoice();
  for (const select of selects) {
    const kind = select.dataset.kind;
    const current = stream?.getTracks().find((t) => `${t.kind}input` === kind)?.getSettings().deviceId;
    select.replaceChildren();
    devices.filter((d) => d.kind === kind).forEach((device, index) => {
      const option = new Option(device.label || `${root.dataset.labelDefault} ${index + 1}`,
                                device.deviceId);
      option.selected = device.deviceId === (chosen[kind] || current);
      select.append(option);
    });
  }
  const canChooseSpeaker = "setSinkId" in HTMLMediaElement.prototype;
  document.getElementById("speaker-field").hidden =
    !canChooseSpeaker || !root.querySelector("#speaker-select").options.length;
}

function showLevel() {
  cancelAnimationFrame(meterFrame);
  audioContext?.close();
  const track = stream?.getAudioTracks()[0];
  if (!track) return;
  audioContext = new AudioContext();
  const analyser = audioContext.createAnalyser();
  analyser.fftSize = 512;
  audioContext.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const draw = () => {
    analyser.getFloatTimeDomainData(samples);
    const rms = Math.sqrt(samples.reduce((sum, s) => sum + s * s, 0) / samples.length);
    meter.value = Math.min(1, rms * 4);
    meterFrame = requestAnimationFrame(draw);
  };
  draw();
}

async function start() {
  stream?.getTracks().forEach((t) => t.stop());
  try {
    stream = await navigator.mediaDevices.getUserMedia(mediaConstraints(loadDeviceChoice()));
  } catch (error) {
    stream = null;
    say(root.dataset[mediaProblem(error)], true);
    return;
  }
  preview.srcObject = stream;
  say(root.dataset.msgReady);
  showLevel();
  await fillDeviceLists();
}

async function playTone() {
  const context = new AudioContext();
  const speaker = loadDeviceChoice().audiooutput;
  if (speaker && context.setSinkId) {
    try { await context.setSinkId(speaker); } catch { /* the default speaker plays it */ }
  }
  const tone = context.createOscillator();
  const gain = context.createGain();
  tone.frequency.value = 660;
  gain.gain.value = 0.2;
  tone.connect(gain).connect(context.destination);
  tone.start();
  tone.stop(context.currentTime + 1);
  tone.addEventListener("ended", () => context.close());
}

if (!supported()) {
  say(root.dataset.msgUnsupported, true);
} else {
  if (inAppBrowser()) say(root.dataset.msgInApp, true);
  for (const select of selects) {
    select.addEventListener("change", () => {
      saveDeviceChoice({ ...loadDeviceChoice(), [select.dataset.kind]: select.value });
      if (select.dataset.kind !== "audiooutput") start();
    });
  }
  document.getElementById("speaker-test").addEventListener("click", playTone);
  window.addEventListener("pagehide", () => stream?.getTracks().forEach((t) => t.stop()));
  start();
}
