// Camera and microphone shared by the device check and the room.
const KEY = "videovisit-devices";

export function loadDeviceChoice() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || {};
  } catch {
    return {};
  }
}

export function saveDeviceChoice(choice) {
  sessionStorage.setItem(KEY, JSON.stringify(choice));
}

export function mediaConstraints(choice, { width = 1280 } = {}) {
  const pick = (id) => (id ? { deviceId: { ideal: id } } : {});
  return {
    video: { width: { ideal: width }, ...pick(choice.videoinput) },
    audio: { echoCancellation: true, noiseSuppression: true, ...pick(choice.audioinput) },
  };
}

// Which data-msg-* text explains a getUserMedia failure.
export function mediaProblem(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "msgDenied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "msgNoDevice";
    case "NotReadableError":
    case "AbortError":
      return "msgBusy";
    default:
      return "msgFailed";
  }
}
