// Static server for the towerlens page: 127.0.0.1 only, correct MIME types
// (application/wasm), cross-origin isolation (COOP/COEP, so the threaded
// build can use SharedArrayBuffer; --no-isolation leaves them out, to see the
// single-threaded fallback) and a Content-Security-Policy that allows no
// inline script. `/data/...` maps to the repo's data/ folder (the demo set);
// everything else maps to web/.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.dat': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.zip': 'application/zip',
  '.tlm': 'application/octet-stream',
};

// 'wasm-unsafe-eval' lets WebAssembly compile; it does not allow eval() of JS.
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// The two headers that make the page cross-origin isolated (SharedArrayBuffer,
// hence the threaded WASM build). The pthread workers are same-origin scripts
// that worker-src 'self' already allows.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const BASE_HEADERS = {
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function mimeFor(file) {
  return MIME_TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
}

// Maps a URL path to a file inside one of the two roots, or null when the
// path escapes its root or is malformed.
function resolvePath(urlPath, webRoot, dataRoot) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  let root = webRoot;
  let rest = decoded;
  if (decoded === '/data' || decoded.startsWith('/data/')) {
    root = dataRoot;
    rest = decoded.slice('/data'.length) || '/';
  }
  const full = path.resolve(root, '.' + path.posix.normalize('/' + rest));
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  return full;
}

// isolate: false serves the page without COOP/COEP (not cross-origin
// isolated: the page falls back to the single-threaded build).
export function createHandler({ root = path.join(repoRoot, 'web'), dataDir = path.join(repoRoot, 'data'), log = null, isolate = true } = {}) {
  const webRoot = path.resolve(root);
  const dataRoot = path.resolve(dataDir);
  const SECURITY_HEADERS = isolate ? { ...ISOLATION_HEADERS, ...BASE_HEADERS } : BASE_HEADERS;
  const send = (res, status, text, extra = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(text);
  };
  return (req, res) => {
    const done = (status) => log && log(`${status} ${req.method} ${req.url}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      return done(405);
    }
    const urlPath = (req.url || '/').split('?')[0].split('#')[0];
    let file = resolvePath(urlPath, webRoot, dataRoot);
    if (!file) {
      send(res, 400, 'bad path\n');
      return done(400);
    }
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        if (!urlPath.endsWith('/')) {
          res.writeHead(301, { ...SECURITY_HEADERS, Location: urlPath + '/' });
          res.end();
          return done(301);
        }
        file = path.join(file, 'index.html');
        return fs.stat(file, (err2, st2) => serveFile(err2, st2));
      }
      serveFile(err, st);
    });
    function serveFile(err, st) {
      if (err || !st.isFile()) {
        send(res, 404, 'not found\n');
        return done(404);
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': mimeFor(file),
        'Content-Length': st.size,
        'Cache-Control': 'no-cache',
        'Last-Modified': st.mtime.toUTCString(),
      });
      if (req.method === 'HEAD') {
        res.end();
        return done(200);
      }
      const stream = fs.createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
      done(200);
    }
  };
}

// Starts the server; resolves to { url, port, close() }. port 0 picks a free port.
export function startServer({ port = 8080, host = '127.0.0.1', root, dataDir, log, isolate = true } = {}) {
  const server = http.createServer(createHandler({ root, dataDir, log, isolate }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = server.address().port;
      resolve({
        server,
        port: actual,
        url: `http://${host}:${actual}/`,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}

function usage() {
  return `usage: scripts/serve [--port N] [--host 127.0.0.1] [--root DIR] [--data DIR] [--no-isolation] [--open] [--log]
  Serves web/ (and data/ under /data/) with COOP/COEP, CSP and application/wasm.
  --port N   port to listen on (default 8080; 0 picks a free port)
  --host H   address to bind (default 127.0.0.1)
  --root DIR folder served at / (default: web/ of this repo)
  --data DIR folder served at /data/ (default: data/ of this repo)
  --no-isolation  leave out COOP/COEP: the page is not cross-origin isolated
             and runs the single-threaded WebAssembly build
  --open     open the page in the default browser (xdg-open / open)
  --log      print one line per request`;
}

async function main(argv) {
  const opts = { port: 8080, host: '127.0.0.1' };
  let portGiven = false;
  let open = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--port' || a === '-p') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw new Error(`--port: "${v}" is not a port number (0-65535)`);
      opts.port = Number(v);
      portGiven = true;
    } else if (a === '--host') opts.host = value();
    else if (a === '--root') opts.root = value();
    else if (a === '--data') opts.dataDir = value();
    else if (a === '--open') open = true;
    else if (a === '--no-isolation') opts.isolate = false;
    else if (a === '--log') opts.log = (line) => console.log(line);
    else if (a === '--help' || a === '-h') {
      console.log(usage());
      return;
    } else throw new Error(`unknown option "${a}"\n${usage()}`);
  }
  let srv;
  try {
    srv = await startServer(opts);
  } catch (e) {
    if (e.code === 'EADDRINUSE' && !portGiven) {
      srv = await startServer({ ...opts, port: 0 }); // default port taken: pick a free one
    } else if (e.code === 'EADDRINUSE') {
      throw new Error(`port ${opts.port} is already in use; try --port 0 for a free port`);
    } else throw e;
  }
  const wasm = path.join(path.resolve(opts.root || path.join(repoRoot, 'web')), 'wasm');
  if (!fs.existsSync(wasm)) {
    console.log(`note: ${wasm} does not exist yet; build the WASM module first (scripts/demo does it)`);
  }
  console.log(`towerlens is running at ${srv.url}`);
  if (opts.isolate === false) console.log('not cross-origin isolated (--no-isolation): the page uses the single-threaded build');
  console.log('press Ctrl+C to stop');
  if (open) {
    const { spawn } = await import('node:child_process');
    const cmd = process.platform === 'darwin' ? 'open' : 'xdg-open';
    const child = spawn(cmd, [srv.url], { stdio: 'ignore', detached: true });
    child.on('error', () => console.log(`(could not run ${cmd}; open the URL yourself)`));
    child.unref();
  }
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`serve: ${e.message}`);
    process.exit(2);
  });
}
