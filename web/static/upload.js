// Uploads with progress: an ES module that enhances every
// <div data-upload="PURPOSE" data-upload-field="FIELDNAME"> holding an <input type="file">.
// The chosen file is sent as it is (its own Content-Type) to /api/v1/uploads with
// XMLHttpRequest, so a <progress> can follow it; on success the upload's id goes into the
// hidden <input name=FIELDNAME> of the div and the div dispatches a bubbling
// CustomEvent('lectern:uploaded', {detail: upload}). On failure the error is shown with a
// Retry button that sends the same file again.
//
//   import { upload } from '/static/upload.js';
//   const u = await upload(file, 'cover', (sent, total) => ...);  // {id, url, content_type, size, purpose, ...}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta?.content) return meta.content;
  const m = document.cookie.match(/(?:^|;\s*)lectern_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

/** An upload that failed: `status` is the HTTP status (0 when the network failed). */
export class UploadError extends Error {
  constructor(message, status, problem) {
    super(message);
    this.name = 'UploadError';
    this.status = status;
    this.problem = problem;
  }
}

/**
 * Uploads `file` for `purpose` (cover, lesson_video, attachment, verification_document).
 * `onProgress(sentBytes, totalBytes)` is called as the body goes out. Resolves to the upload
 * (the server's JSON); rejects with an UploadError.
 */
export function upload(file, purpose, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams({ purpose, filename: file.name || '' });
    xhr.open('POST', `/api/v1/uploads?${query}`);
    xhr.withCredentials = true; // same-origin: the session cookie goes with it
    xhr.responseType = 'json';
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    const token = csrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    if (onProgress) {
      xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    }
    xhr.addEventListener('load', () => {
      const body = xhr.response;
      if (xhr.status === 201 && body) {
        resolve(body);
      } else {
        const detail = body && typeof body === 'object' && body.detail;
        reject(new UploadError(detail || `The upload failed (${xhr.status}).`, xhr.status, body));
      }
    });
    xhr.addEventListener('error', () => reject(new UploadError('The connection failed.', 0, null)));
    xhr.addEventListener('abort', () => reject(new UploadError('The upload was cancelled.', 0, null)));
    xhr.send(file);
  });
}

function text(lang, en, ru) {
  return lang.startsWith('ru') ? ru : en;
}

/** Enhances one widget (idempotent). */
export function enhance(root) {
  if (root.dataset.uploadReady) return;
  const input = root.querySelector('input[type="file"]');
  const field = root.dataset.uploadField;
  if (!input || !field) return;
  root.dataset.uploadReady = '1';
  const lang = document.documentElement.lang || 'en';
  let hidden = root.querySelector(`input[type="hidden"][name="${CSS.escape(field)}"]`);
  if (!hidden) {
    hidden = document.createElement('input');
    hidden.type = 'hidden';
    hidden.name = field;
    root.append(hidden);
  }
  const progress = root.querySelector('progress') || root.appendChild(document.createElement('progress'));
  progress.max = 100;
  progress.value = 0;
  progress.hidden = true;
  const status = root.querySelector('[data-upload-status]') || root.appendChild(document.createElement('p'));
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.hidden = true;
  retry.textContent = text(lang, 'Retry', 'Повторить');
  root.append(retry);

  let current = null;
  let lastAnnounced = -1;
  const send = async (file) => {
    current = file;
    retry.hidden = true;
    input.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    root.setAttribute('aria-busy', 'true');
    status.textContent = text(lang, `Uploading ${file.name}…`, `Загрузка ${file.name}…`);
    try {
      const result = await upload(file, root.dataset.upload, (sent, total) => {
        const pct = total ? Math.floor((sent / total) * 100) : 0;
        progress.value = pct;
        // Screen readers hear every tenth percent, not every event.
        if (pct >= lastAnnounced + 10 || pct === 100) {
          lastAnnounced = pct;
          status.textContent = text(lang, `Uploading ${file.name}: ${pct}%`, `Загрузка ${file.name}: ${pct}%`);
        }
      });
      hidden.value = result.id;
      progress.value = 100;
      status.textContent = text(lang, `Uploaded ${file.name}.`, `Файл ${file.name} загружен.`);
      root.dispatchEvent(new CustomEvent('lectern:uploaded', { detail: result, bubbles: true }));
    } catch (e) {
      progress.hidden = true;
      status.textContent = e.message;
      retry.hidden = false;
    } finally {
      lastAnnounced = -1;
      input.disabled = false;
      root.removeAttribute('aria-busy');
    }
  };
  input.addEventListener('change', () => {
    if (input.files && input.files[0]) send(input.files[0]);
  });
  retry.addEventListener('click', () => {
    if (current) send(current);
  });
}

/** Enhances every widget under `scope` (the whole page by default). */
export function enhanceAll(scope = document) {
  scope.querySelectorAll('div[data-upload][data-upload-field]').forEach(enhance);
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => enhanceAll());
  } else {
    enhanceAll();
  }
}
