/**
 * Entry point of a screen worker thread: hosts the headless terminals of several sessions so
 * that parsing their output and serializing their scrollback (tens of milliseconds for 10,000
 * lines) never runs on the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { HeadlessScreen } from './headless-screen.js';
import type { ScreenReply, ScreenRequest } from './screen-worker-messages.js';

const port = parentPort;
if (!port) throw new Error('screen-worker.js must run in a worker thread');

const screens = new Map<number, HeadlessScreen>();

function reply(message: ScreenReply): void {
  port?.postMessage(message);
}

port.on('message', (req: ScreenRequest) => {
  try {
    if (req.op === 'open') {
      screens.set(req.id, new HeadlessScreen(req.cols, req.rows, req.scrollback));
      return;
    }
    const screen = screens.get(req.id);
    if (!screen) throw new Error(`no screen ${req.id} in this worker`);
    switch (req.op) {
      case 'write':
        screen.write(req.data);
        break;
      case 'resize':
        screen.resize(req.cols, req.rows);
        break;
      case 'restore':
        screen.restore(req.state);
        break;
      case 'snapshot':
        screen.snapshot().then(
          (state) => reply({ reqId: req.reqId, ok: true, state }),
          (err: unknown) => reply({ reqId: req.reqId, ok: false, error: String(err) }),
        );
        break;
      case 'close':
        screen.dispose();
        screens.delete(req.id);
        break;
    }
  } catch (err) {
    reply({ reqId: req.op === 'snapshot' ? req.reqId : null, ok: false, error: String(err) });
  }
});
