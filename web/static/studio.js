// Lectern studio.js: what the teacher studio's editors add when JavaScript runs (contract:
// web/README.md). Loaded by app.js only on pages with a `data-studio` root; every form here
// also works without it (post and redirect). Talks to the same JSON API as any client.

const DEBOUNCE_MS = 900;

let api;
let guard;
let root;

const msg = (name, fallback) => root?.dataset[name] || fallback;

/** `fn` at most once per `ms` of quiet. */
function debounce(fn, ms) {
  let timer = null;
  const run = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  run.now = (...args) => {
    clearTimeout(timer);
    return fn(...args);
  };
  return run;
}

function setStatus(form, text, failed = false) {
  const out = form.querySelector('[data-save-status]');
  if (!out) return;
  out.textContent = text;
  out.classList.toggle('is-error', failed);
}

// ---- Markdown preview: what the page will show, rendered by the server (sanitised there)

function initPreview(area) {
  const target = document.getElementById(area.dataset.preview);
  if (!target) return;
  let last = area.value;
  const render = debounce(async () => {
    if (area.value === last) return;
    last = area.value;
    try {
      const out = await api('/api/v1/markdown/preview', { method: 'POST', body: { markdown: area.value } });
      target.innerHTML = out.html;
    } catch {
      // The preview is a help, not a save: a failure leaves the last one.
    }
  }, 400);
  area.addEventListener('input', render);
}

// ---- Autosave: course details and lessons, through PATCH

/** The JSON a form's fields make, in the API's names. */
function courseBody(form) {
  const v = (name) => form.elements[name]?.value ?? '';
  const body = {
    title: v('title'),
    subtitle: v('subtitle'),
    description: v('description'),
    category: v('category'),
    level: v('level'),
    language: v('language'),
  };
  const slug = v('slug').trim();
  if (slug && slug !== form.dataset.slug) body.slug = slug;
  return body;
}

function lessonBody(form) {
  const v = (name) => form.elements[name]?.value ?? '';
  const minutes = parseInt(v('minutes'), 10);
  const body = {
    title: v('title'),
    body: v('body'),
    video_url: v('video_url').trim(),
    is_preview: !!form.elements.preview?.checked,
    duration_s: Number.isFinite(minutes) && minutes > 0 ? minutes * 60 : 0,
  };
  const rev = form.querySelector('[data-revision]');
  if (rev) body.revision = Number(rev.value);
  return body;
}

function showConflict(form, current) {
  const box = document.querySelector('[data-conflict]');
  if (!box || !current) return;
  box.hidden = false;
  box.querySelector('[data-conflict-title]').textContent = current.title ?? '';
  box.querySelector('[data-conflict-body]').textContent = current.body ?? '';
  const rev = form.querySelector('[data-revision]');
  const take = box.querySelector('[data-conflict-take]');
  take.hidden = false;
  take.onclick = () => {
    form.elements.title.value = current.title ?? '';
    form.elements.body.value = current.body ?? '';
    if (form.elements.video_url) form.elements.video_url.value = current.video_url ?? '';
    if (rev) rev.value = current.revision;
    form.dataset.paused = '';
    box.hidden = true;
    form.elements.body.dispatchEvent(new Event('input', { bubbles: true }));
  };
  // "Save mine over it": the next explicit save goes on top of the stored version.
  form.dataset.paused = String(current.revision);
  box.focus?.();
}

function initAutosave(form) {
  const lesson = form.id === 'lesson-form';
  if (!lesson && form.elements.slug) form.dataset.slug = form.elements.slug.value.trim();
  let inflight = null;
  let again = false;
  const save = async () => {
    if (form.dataset.paused) return;
    if (inflight) {
      again = true;
      return inflight;
    }
    setStatus(form, msg('msgSaving', 'Saving…'));
    const body = lesson ? lessonBody(form) : courseBody(form);
    inflight = api(form.dataset.autosave, { method: 'PATCH', body })
      .then((out) => {
        if (lesson && out?.revision != null) form.querySelector('[data-revision]').value = out.revision;
        if (!lesson && out?.slug) form.dataset.slug = out.slug;
        setStatus(form, msg('msgSaved', 'Saved.'));
      })
      .catch((e) => {
        if (e.status === 409 && e.problem?.code === 'edit_conflict') {
          showConflict(form, e.problem.current);
          setStatus(form, msg('msgConflict', 'Changed meanwhile: see above.'), true);
          return;
        }
        const fields = e.problem?.errors?.map((x) => `${x.field}: ${x.message}`).join('; ');
        setStatus(form, (msg('msgFailed', 'Not saved: {reason}')).replace('{reason}', fields || e.message), true);
      })
      .finally(() => {
        inflight = null;
        if (again) {
          again = false;
          save();
        }
      });
    return inflight;
  };
  const later = debounce(save, DEBOUNCE_MS);
  form.addEventListener('input', (ev) => {
    if (ev.target.type !== 'file') later();
  });
  form.addEventListener('change', (ev) => {
    if (ev.target.type !== 'file') later();
  });
  form.addEventListener('submit', (ev) => {
    // The "remove" buttons post the form as it is: the page comes back without the file.
    if (ev.submitter?.name?.startsWith('remove_')) return;
    ev.preventDefault();
    if (form.dataset.paused) {
      const rev = form.querySelector('[data-revision]');
      if (rev) rev.value = form.dataset.paused;
      form.dataset.paused = '';
      document.querySelector('[data-conflict]')?.setAttribute('hidden', '');
    }
    later.now();
  });
  form.autosave = save;
}

// ---- Curriculum order: drag and drop, and the arrow buttons, saved at once

function announce(text) {
  const out = document.querySelector('[data-reorder-status]');
  if (out) out.textContent = text;
}

async function saveOrder(list) {
  const ids = Array.from(list.children)
    .filter((li) => li.dataset.id)
    .map((li) => li.dataset.id);
  try {
    await api(list.dataset.reorder, { method: 'POST', body: { ids } });
    announce(msg('msgOrder', 'New order saved.'));
  } catch (e) {
    announce((msg('msgFailed', 'Not saved: {reason}')).replace('{reason}', e.message));
    // The server's order is the truth: show it again.
    setTimeout(() => location.reload(), 1500);
  }
}

function initReorder(list) {
  let dragged = null;
  const items = () => Array.from(list.children).filter((li) => li.dataset.id);
  for (const li of items()) {
    li.draggable = true;
    li.addEventListener('dragstart', (ev) => {
      if (ev.target !== li) return;
      ev.stopPropagation();
      dragged = li;
      li.classList.add('is-dragging');
      ev.dataTransfer.effectAllowed = 'move';
      ev.dataTransfer.setData('text/plain', li.dataset.id);
    });
    li.addEventListener('dragend', () => {
      li.classList.remove('is-dragging');
      dragged = null;
    });
    li.addEventListener('dragover', (ev) => {
      if (!dragged || dragged === li || dragged.parentElement !== list) return;
      ev.preventDefault();
      ev.stopPropagation();
      const box = li.getBoundingClientRect();
      const after = ev.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? li.nextSibling : li);
    });
    li.addEventListener('drop', (ev) => {
      if (!dragged || dragged.parentElement !== list) return;
      ev.preventDefault();
      ev.stopPropagation();
      saveOrder(list);
    });
    // The arrow buttons of this item (not of its nested items) move it without a reload.
    for (const button of li.querySelectorAll('[data-move]')) {
      if (button.closest('li[data-id]') !== li) continue;
      button.addEventListener('click', (ev) => {
        ev.preventDefault();
        const up = button.dataset.move === 'up';
        const sibling = up ? li.previousElementSibling : li.nextElementSibling;
        if (!sibling) return;
        list.insertBefore(li, up ? sibling : sibling.nextSibling);
        button.focus();
        saveOrder(list);
      });
    }
  }
}

// ---- Uploads: the widget (upload.js) sends the file; the editor attaches it

function initUploads(course) {
  const script = root.dataset.uploadJs;
  if (!script || !document.querySelector('[data-upload]')) return;
  import(script).catch((e) => console.error('[lectern]', e));
  document.addEventListener('lectern:uploaded', async (ev) => {
    const upload = ev.detail;
    const lessonForm = document.getElementById('lesson-form');
    try {
      if (upload.purpose === 'cover' && course && document.querySelector('[data-cover-form]')) {
        await api(`/api/v1/courses/${course}`, { method: 'PATCH', body: { cover_upload_id: upload.id } });
        const img = document.querySelector('[data-cover-preview]');
        if (img) {
          img.src = upload.url;
          img.hidden = false;
        }
      } else if (lessonForm && (upload.purpose === 'lesson_video' || upload.purpose === 'attachment')) {
        let body;
        if (upload.purpose === 'lesson_video') {
          body = { video_upload_id: upload.id };
        } else {
          const list = lessonForm.dataset.attachments ? lessonForm.dataset.attachments.split(',') : [];
          list.push(upload.id);
          body = { attachment_upload_ids: list };
        }
        const out = await api(lessonForm.dataset.autosave, { method: 'PATCH', body });
        // Our own save: the next autosave starts from it, not from a "conflict" with ourselves.
        const rev = lessonForm.querySelector('[data-revision]');
        if (rev && out?.revision != null) rev.value = out.revision;
        if (upload.purpose === 'attachment') lessonForm.dataset.attachments = body.attachment_upload_ids.join(',');
      } else {
        return;
      }
      const form = ev.target.closest('form') || lessonForm;
      if (form) setStatus(form, msg('msgSaved', 'Saved.'));
    } catch (e) {
      const out = ev.target.querySelector('[role=status]') || ev.target;
      out.textContent = (msg('msgFailed', 'Not saved: {reason}')).replace('{reason}', e.message);
    }
  });
}

function initConfirm(form) {
  form.addEventListener('submit', (ev) => {
    if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
  });
}

export function init(tools) {
  ({ api, guard } = tools);
  root = document.querySelector('[data-studio]');
  if (!root) return;
  const each = (sel, fn) => document.querySelectorAll(sel).forEach((node) => guard(fn)(node));
  each('textarea[data-preview]', initPreview);
  each('form[data-autosave]', initAutosave);
  each('ol[data-reorder]', initReorder);
  each('form[data-confirm]', initConfirm);
  guard(initUploads)(root.dataset.course);
}
