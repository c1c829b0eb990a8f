// The video room (DESIGN R1–R5): presence and signalling over the room's WebSocket,
// media peer to peer (a mesh of RTCPeerConnections, perfect negotiation per pair).
//
// The server sends "welcome" (who we are, ICE servers), then a "state" snapshot after
// every change; "signal" carries another peer's description or ICE candidate;
// "closed" says why the server is about to close the socket for good.
import { loadDeviceChoice, mediaConstraints, mediaProblem } from "./media.js";

const ENDED = 4000;
const FINAL_CLOSE_CODES = new Set([ENDED, 4001, 4002, 4003, 4004, 4005]);
// Signals that arrive before the snapshot admitting us, and how long a peer first heard
// from by signal is kept while snapshots do not list it yet.
const MAX_EARLY_SIGNALS = 500;
const EARLY_PEER_MS = 10000;

class Room {
  constructor(root) {
    this.root = root;
    this.msg = root.dataset;
    this.peers = new Map();
    this.known = new Map();
    this.earlySignals = [];
    this.wanted = false;
    this.userLeft = false;
    this.ended = false;
    this.attempt = 0;
    this.failedOpens = 0;
    this.localStream = null;
    const $ = (name) => root.querySelector(`[data-room-${name}]`);
    this.el = {
      status: $("status"), waiting: $("waiting"), preview: $("preview"), tiles: $("tiles"),
      controls: $("controls"), mute: $("mute"), camera: $("camera"), leave: $("leave"),
      join: $("join"),
    };
    this.el.mute.addEventListener("click", () => this.toggle("audio", this.el.mute));
    this.el.camera.addEventListener("click", () => this.toggle("video", this.el.camera));
    this.el.leave.addEventListener("click", () => this.leave(this.msg.msgLeft));
    this.el.join.addEventListener("click", () => { this.userLeft = false; this.join(); });
    window.addEventListener("pagehide", () => this.leave());
  }

  say(text) {
    if (text) this.el.status.textContent = text;
  }

  show(view) {
    const title = document.querySelector("[data-room-page-title]");
    // While connecting the page keeps the name it came with; once the meeting has
    // ended it says so, not "Väntrum" again (R5).
    const name = { waiting: "titleWaiting", meeting: "titleMeeting", left: "titleMeeting",
                   closed: "titleMeeting", ended: "titleEnded" }[view];
    if (title && name) {
      document.title = document.title.replace(title.textContent, title.dataset[name]);
      title.textContent = title.dataset[name];
    }
    this.el.waiting.hidden = view !== "waiting";
    this.el.tiles.hidden = view !== "meeting";
    this.el.controls.hidden = view !== "meeting" && view !== "waiting";
    this.el.join.hidden = view !== "left";
  }

  async join() {
    if (this.wanted) return;
    this.wanted = true;
    this.closedFor = null;
    this.ended = false;
    // Names this page's media session; a socket that reconnects brings it back, so the
    // others keep their peer connections with us through a drop or a restart (R4).
    this.connectionId = crypto.randomUUID();
    this.root.hidden = false;
    this.say(this.msg.msgConnecting);
    this.show("connecting");
    await this.startMedia();
    this.connect();
  }

  leave(message) {
    this.wanted = false;
    this.userLeft = Boolean(message);
    clearInterval(this.heartbeat);
    this.socket?.close(1000);
    this.socket = null;
    this.closeAllPeers();
    this.earlySignals = [];
    this.localStream?.getTracks().forEach((track) => track.stop());
    this.localStream = null;
    this.selfTile?.remove();
    this.connection = null;
    if (message) {
      this.say(message);
      this.show("left");
    }
  }

  async startMedia() {
    if (this.localStream) return;
    try {
      this.localStream = await navigator.mediaDevices.getUserMedia(
        mediaConstraints(loadDeviceChoice(), { width: 640 }));
    } catch (error) {
      this.localStream = new MediaStream();
      this.mediaProblem = this.msg[mediaProblem(error)];
    }
    this.el.preview.srcObject = this.localStream;
    this.selfTile = this.tile("self", this.msg.labelYou, "");
    this.selfTile.querySelector("video").muted = true;
    this.selfTile.querySelector("video").srcObject = this.localStream;
    this.el.tiles.prepend(this.selfTile);
    this.el.mute.disabled = !this.localStream.getAudioTracks().length;
    this.el.camera.disabled = !this.localStream.getVideoTracks().length;
  }

  toggle(kind, button) {
    const off = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", String(off));
    for (const track of this.localStream?.getTracks() || []) {
      if (track.kind === kind) track.enabled = !off;
    }
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}${this.root.dataset.roomUrl}?c=${this.connectionId}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      this.failedOpens = 0;
      if (this.attempt > 0) this.say(this.msg.msgReconnected);
      this.attempt = 0;
    });
    socket.addEventListener("message", (event) => this.onMessage(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      clearInterval(this.heartbeat);
      if (!this.wanted) return;
      const code = this.closedFor?.code ?? event.code;
      if (FINAL_CLOSE_CODES.has(code)) {
        this.end(this.msg[`msgClosed${code}`] || this.closedFor?.message, code);
        return;
      }
      // Dropped (network, server restart): the media flows on peer to peer while the
      // socket comes back with the same connection id and gets a fresh snapshot (R4).
      if (!opened) this.failedOpens += 1;
      this.say(this.failedOpens >= 3 ? this.msg.msgUnreachable : this.msg.msgDropped);
      if (this.failedOpens === 3) this.recheckPage();
      const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
      this.attempt += 1;
      setTimeout(() => { if (this.wanted && this.socket === socket) this.connect(); }, delay);
    });
  }

  // A socket refused again and again: the page itself may now say why (link revoked,
  // visit finished), so reload it if it no longer opens.
  async recheckPage() {
    try {
      const response = await fetch(location.href, { method: "HEAD", cache: "no-store" });
      if (response.status >= 400 || response.redirected) location.reload();
    } catch { /* offline: keep trying */ }
  }

  // The socket closed for good: the meeting ended (CLOSE_ENDED), or this person may not
  // stay in it (removed, replaced by another window, full, signed out).
  end(message, code = ENDED) {
    this.leave();
    this.say(message);
    this.ended = code === ENDED;
    this.show(this.ended ? "ended" : "closed");
    this.root.dispatchEvent(new CustomEvent("room-ended", { bubbles: true }));
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  onMessage(message) {
    switch (message.type) {
      case "welcome":
        this.me = message.you;
        this.iceServers = message.ice_servers;
        clearInterval(this.heartbeat);
        this.heartbeat = setInterval(() => this.send({ type: "ping" }),
                                     message.heartbeat * 1000);
        break;
      case "state":
        this.applyState(message);
        break;
      case "signal":
        this.onSignal(message);
        break;
      case "closed":
        this.closedFor = message;
        break;
    }
  }

  applyState(state) {
    if (this.connection && this.connection !== state.connection) this.closeAllPeers();
    this.connection = state.connection;
    this.status = state.status;
    this.known = new Map(state.peers.map((peer) => [peer.id, peer]));
    if (state.status !== "in_meeting") {
      this.closeAllPeers();
      this.show("waiting");
      this.say(this.mediaProblem || this.msg.msgWaiting);
      return;
    }
    this.show("meeting");
    const present = new Map(state.peers.filter((p) => p.status === "in_meeting")
                                       .map((p) => [p.id, p]));
    for (const [id, peer] of this.peers) {
      const listed = present.get(id);
      // A peer's signal can overtake the snapshot that lists it: keep that peer a while.
      const heardFirst = peer.fromSignal && Date.now() - peer.createdAt < EARLY_PEER_MS;
      if (listed ? listed.connection !== peer.connection : !heardFirst) this.closePeer(id);
    }
    for (const info of present.values()) {
      if (!this.peers.has(info.id)) this.createPeer(info.id, info.connection);
    }
    const pending = this.earlySignals;
    this.earlySignals = [];
    for (const message of pending) this.onSignal(message);
    this.adaptQuality();
    this.say(this.mediaProblem || (present.size ? this.msg.msgInMeeting : this.msg.msgAlone));
  }

  tile(id, name, role) {
    const figure = document.createElement("figure");
    figure.className = "tile";
    figure.dataset.peer = id;
    const video = document.createElement("video");
    video.autoplay = true;
    video.playsInline = true;
    const caption = document.createElement("figcaption");
    caption.textContent = role ? `${name}, ${role}` : name;
    figure.append(video, caption);
    return figure;
  }

  // Every RTCPeerConnection has its own id, sent with each signal (`pc`) together with
  // the id of the other side's connection it answers (`to`): a pair that is rebuilt
  // drops what was meant for the connection it replaced.
  createPeer(id, connection) {
    const info = this.known.get(id) || { name: "", role: "" };
    const pc = new RTCPeerConnection({ iceServers: this.iceServers || [] });
    const peer = { id, connection, pc, pcId: crypto.randomUUID(), remotePcId: null,
                   createdAt: Date.now(), fromSignal: false,
                   polite: this.me < id, makingOffer: false, ignoreOffer: false,
                   stuckTicks: 0, tile: this.tile(id, info.name, info.role) };
    this.peers.set(id, peer);
    this.el.tiles.append(peer.tile);
    const tracks = this.localStream?.getTracks() || [];
    for (const track of tracks) pc.addTrack(track, this.localStream);
    for (const kind of ["audio", "video"]) {
      if (!tracks.some((track) => track.kind === kind)) {
        pc.addTransceiver(kind, { direction: "recvonly" });
      }
    }
    pc.addEventListener("negotiationneeded", async () => {
      try {
        peer.makingOffer = true;
        await pc.setLocalDescription();
        this.signal(peer, { description: pc.localDescription });
      } catch (error) {
        console.warn("room: offer failed", error);
      } finally {
        peer.makingOffer = false;
      }
    });
    pc.addEventListener("icecandidate", ({ candidate }) => {
      if (candidate) this.signal(peer, { candidate: candidate.toJSON() });
    });
    pc.addEventListener("track", ({ track, streams }) => {
      const video = peer.tile.querySelector("video");
      video.srcObject = streams[0] || new MediaStream([track]);
      this.play(video, peer.tile);
    });
    peer.watchdog = setInterval(() => this.checkPeer(peer), 5000);
    pc.addEventListener("connectionstatechange", () => {
      peer.tile.dataset.state = pc.connectionState;
      if (pc.connectionState === "failed") pc.restartIce();
      if (pc.connectionState === "connected") this.adaptQuality();
    });
    return peer;
  }

  signal(peer, data) {
    this.send({ type: "signal", to: peer.id,
                data: { ...data, pc: peer.pcId, to: peer.remotePcId } });
  }

  // A pair can get stuck without an error: a description lost with a socket that
  // dropped, or a connection that never gathers candidates after a glare rollback.
  // Restarting ICE on such a connection does not always help, so the impolite side
  // replaces one that has not connected for two checks; the other side follows when
  // the new connection's offer arrives.
  async checkPeer(peer) {
    const { pc } = peer;
    if (pc.connectionState === "connected") {
      peer.stuckTicks = 0;
      return;
    }
    peer.stuckTicks += 1;
    if (peer.stuckTicks < 2) return;
    if (!peer.polite) {
      this.rebuildPeer(peer);
      return;
    }
    try {
      if (pc.signalingState === "have-local-offer") {
        await pc.setLocalDescription({ type: "rollback" });  // the answer never came
      }
    } catch (error) {
      console.warn("room: rollback failed", error);
    }
  }

  rebuildPeer(peer) {
    this.closePeer(peer.id);
    const rebuilt = this.createPeer(peer.id, peer.connection);
    rebuilt.fromSignal = peer.fromSignal;
    return rebuilt;
  }

  // Browsers may refuse to play sound before the person has clicked on the page; then
  // the picture plays muted and a button turns the sound on.
  play(video, tile) {
    const speaker = loadDeviceChoice().audiooutput;
    if (speaker && video.setSinkId) video.setSinkId(speaker).catch(() => {});
    video.play().catch(() => {
      video.muted = true;
      video.play().catch(() => {});
      if (tile.querySelector("button")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button--small tile__unmute";
      button.textContent = this.msg.labelUnmute;
      button.addEventListener("click", () => {
        for (const other of this.el.tiles.querySelectorAll(".tile:not([data-peer=self]) video")) {
          other.muted = false;
          other.play().catch(() => {});
        }
        for (const other of this.el.tiles.querySelectorAll(".tile__unmute")) other.remove();
      });
      tile.append(button);
    });
  }

  async onSignal(message) {
    const { from, connection, data } = message;
    if (this.status !== "in_meeting") {
      // The server relays only within the meeting, so a signal means we are in it and
      // the snapshot saying so is on its way: handle the signal once it is here.
      this.earlySignals.push(message);
      if (this.earlySignals.length > MAX_EARLY_SIGNALS) this.earlySignals.shift();
      return;
    }
    let peer = this.peers.get(from);
    if (!peer || peer.connection !== connection) {
      if (peer) this.closePeer(from);
      peer = this.createPeer(from, connection);
      peer.fromSignal = true;
    }
    if (data.to && data.to !== peer.pcId) return;  // for a connection we replaced
    if (peer.remotePcId && data.pc !== peer.remotePcId) {
      // The other side replaced its connection: an offer from the new one replaces ours.
      if (data.description?.type !== "offer") return;
      peer = this.rebuildPeer(peer);
    }
    if (!peer.remotePcId) {
      if (!data.description) return;  // a candidate before any description: stale
      peer.remotePcId = data.pc;
    }
    const pc = peer.pc;
    try {
      if (data.description) {
        const collision = data.description.type === "offer" &&
          (peer.makingOffer || pc.signalingState !== "stable");
        peer.ignoreOffer = !peer.polite && collision;
        if (peer.ignoreOffer) return;
        await pc.setRemoteDescription(data.description);
        if (data.description.type === "offer") {
          await pc.setLocalDescription();
          this.signal(peer, { description: pc.localDescription });
        }
      } else if (data.candidate) {
        try {
          await pc.addIceCandidate(data.candidate);
        } catch (error) {
          // Expected for the impolite peer's ignored offer during glare.
          if (!peer.ignoreOffer) console.warn("room: candidate refused", error);
        }
      }
    } catch (error) {
      console.warn("room: signalling failed", error);
    }
  }

  // R3: the more people, the smaller and cheaper each one's picture.
  adaptQuality() {
    const others = this.peers.size;
    const scale = others <= 1 ? 1 : others <= 3 ? 1.5 : 2;
    const maxBitrate = others <= 1 ? 1_500_000 : others <= 3 ? 700_000 : 350_000;
    for (const { pc } of this.peers.values()) {
      for (const sender of pc.getSenders()) {
        if (sender.track?.kind !== "video") continue;
        const parameters = sender.getParameters();
        if (!parameters.encodings?.length) continue;
        parameters.encodings[0].scaleResolutionDownBy = scale;
        parameters.encodings[0].maxBitrate = maxBitrate;
        sender.setParameters(parameters).catch(() => {});
      }
    }
  }

  closePeer(id) {
    const peer = this.peers.get(id);
    if (!peer) return;
    clearInterval(peer.watchdog);
    peer.pc.close();
    peer.tile.remove();
    this.peers.delete(id);
  }

  closeAllPeers() {
    for (const id of [...this.peers.keys()]) this.closePeer(id);
  }
}

const root = document.querySelector("[data-room]");
if (root) {
  const room = new Room(root);
  if (root.dataset.roomMode === "staff") {
    // Staff: the room opens on the visit page while the meeting is live, and closes
    // with it; the panel's state comes from the page's live updates (R1).
    const sync = () => {
      const state = document.getElementById("visit-panel")?.dataset.visitState;
      const live = state === "video_live";
      if (live && !room.wanted && !room.userLeft) room.join();
      // Avsluta videomöte, here or by a colleague: the room says it ended and what is
      // left to do, whether the socket's close or the panel's update comes first.
      if (!live && room.wanted) {
        if (state === "video_ended") room.end(room.msg.msgClosed4000);
        else room.leave();
      }
      root.hidden = !live && !(state === "video_ended" && room.ended);
    };
    document.body.addEventListener("htmx:afterSettle", sync);
    sync();
  } else {
    room.join();
  }
}
