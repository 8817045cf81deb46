/*
 * forge dashboard. Plain browser JavaScript, no build step, no library, nothing inline: the
 * page's Content-Security-Policy allows only this file, app.css and calls to the same origin.
 * The token lives in sessionStorage (this tab only) and travels in the Authorization header:
 * SSE is read with fetch, WebSockets authenticate with their first message; never a URL.
 * Text from the server is always set with textContent, never parsed as HTML.
 */
'use strict';
(function () {
  const TOKEN_KEY = 'forge.token';
  const ANALYSES_KEY = 'forge.analyses';
  const PAGE = 10;
  const POLL_MS = 2000;
  const TERMINAL = ['completed', 'failed', 'cancelled'];
  const SEVERITIES = ['blocker', 'critical', 'major', 'minor', 'info'];
  const base = document.body.dataset.base || '';
  const $ = (sel, root) => (root || document).querySelector(sel);

  // Violations of the page's policy are kept on the root element, for people and tests to read.
  document.addEventListener('securitypolicyviolation', (e) => {
    const root = document.documentElement;
    root.dataset.cspViolations = (root.dataset.cspViolations || '') + e.violatedDirective + ' ' + e.blockedURI + '\n';
  });

  const state = { builds: 0, analyses: 0, everyone: false, admin: false, features: null, cleanup: [], generation: 0 };

  // ---- small helpers -------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else el.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function flash(text) {
    $('#flash').textContent = text || '';
  }

  async function api(path, options) {
    const opts = options || {};
    const headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
    if (token()) headers.Authorization = 'Bearer ' + token();
    const res = await fetch(base + path, { method: opts.method || 'GET', headers, body: opts.body, cache: 'no-store' });
    const type = res.headers.get('Content-Type') || '';
    const body = type.includes('json') ? await res.json() : await res.text();
    if (res.status === 401 && token()) {
      signOut('The server refused the token (expired or invalid); sign in again.');
    }
    return { status: res.status, ok: res.ok, body };
  }

  function badge(status) {
    return h('span', { class: 'badge ' + status, 'data-status': status }, status);
  }

  function progressBar(value, label) {
    return h('span', {}, h('progress', { max: 100, value: value || 0, 'aria-label': label }),
      h('span', { class: 'pct' }, (value || 0) + ' %'));
  }

  function duration(task) {
    const start = Date.parse(task.started_at || task.created_at);
    const end = task.completed_at ? Date.parse(task.completed_at) : Date.now();
    if (!start) return '';
    const seconds = Math.max(0, Math.round((end - start) / 1000));
    const minutes = Math.floor(seconds / 60);
    return minutes > 0 ? minutes + 'm ' + String(seconds % 60).padStart(2, '0') + 's' : seconds + 's';
  }

  function when(iso) {
    return iso ? new Date(iso).toLocaleString() : '';
  }

  function shortId(id) {
    return id.length > 10 ? id.slice(0, 7) + '\u2026' : id;
  }

  function problemText(res) {
    const b = res.body || {};
    return (b.title ? b.title + ': ' : '') + (b.detail || ('HTTP ' + res.status));
  }

  // ---- session -------------------------------------------------------------------------------

  function signOut(message) {
    // Everything this tab kept belongs to the user signing out, not to the next one.
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ANALYSES_KEY);
    state.admin = false;
    state.everyone = false;
    state.builds = 0;
    state.analyses = 0;
    state.features = null;
    location.hash = '#/';
    render();
    flash(message || 'Signed out.');
  }

  function claims() {
    // Display only: the server checks every call. Tokens that are not JWTs show no name.
    try {
      const part = (token() || '').split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part));
    } catch (e) {
      return {};
    }
  }

  async function signIn(event) {
    event.preventDefault();
    const field = $('#token');
    const value = field.value.trim();
    const error = $('#err-token');
    if (!value) {
      error.textContent = 'Paste a token first.';
      field.setAttribute('aria-invalid', 'true');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, value);
    const res = await api('/api/build/?limit=1');
    if (!res.ok) {
      sessionStorage.removeItem(TOKEN_KEY);
      error.textContent = res.status === 401 ? 'This token is not valid (or has expired).' : problemText(res);
      field.setAttribute('aria-invalid', 'true');
      render();
      return;
    }
    field.value = '';
    field.removeAttribute('aria-invalid');
    error.textContent = '';
    flash('');
    location.hash = '#/';
    render();
  }

  async function features() {
    if (state.features) return state.features;
    const doc = await api('/openapi.json');
    const paths = (doc.ok && doc.body.paths) || {};
    const health = await api('/api/health/status');
    const comps = (health.ok && health.body.components) || {};
    state.admin = Object.values(comps).some((c) => c && c.details !== undefined);
    // Routes and parameters other versions of the server add are used when its document lists them.
    const listing = (path) => paths[path] && paths[path].get;
    const takesAll = (path) => !!(listing(path) && (listing(path).parameters || []).some((p) => p.name === 'all'));
    state.features = { analysisHistory: !!listing('/api/analysis/'), everyone: takesAll('/api/build/'), health };
    return state.features;
  }

  // ---- routing -------------------------------------------------------------------------------

  function stopLive() {
    for (const stop of state.cleanup.splice(0)) stop();
  }

  function show(id) {
    for (const view of document.querySelectorAll('.view')) view.hidden = view.id !== id;
  }

  /**
   * Each render is a generation; work a render started (awaits, timers) checks it is still
   * current before it touches the page or starts polling, so a view that was left - or a user
   * who signed out - is never updated or polled for.
   */
  const current = (generation) => generation === state.generation && !!token();

  async function render() {
    stopLive();
    const generation = ++state.generation;
    const signedIn = !!token();
    $('#nav').hidden = !signedIn;
    if (!signedIn) {
      show('signin-view');
      return;
    }
    const c = claims();
    $('#who').textContent = 'Signed in as ' + (c.preferred_username || c.name || c.sub || 'token holder');
    const route = location.hash.replace(/^#\/?/, '').split('/');
    if (route[0] === 'new') {
      show('new-view');
      await loadProjects(generation);
    } else if ((route[0] === 'build' || route[0] === 'analysis') && route[1]) {
      show('task-view');
      await openTask(route[0], decodeURIComponent(route[1]), generation);
    } else {
      show('list-view');
      await listView(generation);
    }
  }

  // ---- lists ---------------------------------------------------------------------------------

  async function listView(generation) {
    const f = await features();
    if (!current(generation)) return;
    $('#admin-toggle').hidden = !(state.admin && f.everyone);
    $('#analyses-note').hidden = f.analysisHistory;
    await refreshLists(generation);
    if (!current(generation)) return;
    if (state.admin) renderHealth(f.health.body);
    const timer = setInterval(() => refreshLists(generation), POLL_MS);
    state.cleanup.push(() => clearInterval(timer));
  }

  async function refreshLists(generation) {
    if (!current(generation)) return;
    const all = state.admin && state.everyone ? '&all=true' : '';
    const builds = await api('/api/build/?limit=' + PAGE + '&offset=' + state.builds + all);
    if (!current(generation)) return;
    if (builds.ok) {
      fillTable('#builds', builds.body.builds, 'build', (b) => [b.project_name,
        h('span', { class: 'goal', title: b.goal }, b.goal), badge(b.status),
        progressBar(b.progress, 'progress of build ' + b.task_id), duration(b), when(b.created_at)]);
      pager('#builds-pager', builds.body.total, state.builds);
    }
    let analyses;
    let total;
    if (state.features && state.features.analysisHistory) {
      const res = await api('/api/analysis/?limit=' + PAGE + '&offset=' + state.analyses + all);
      if (!res.ok) return;
      analyses = res.body.analyses || [];
      total = res.body.total;
    } else {
      const ids = JSON.parse(sessionStorage.getItem(ANALYSES_KEY) || '[]');
      total = ids.length;
      const page = ids.slice(state.analyses, state.analyses + PAGE);
      analyses = (await Promise.all(page.map((id) => api('/api/analysis/' + encodeURIComponent(id)))))
        .filter((r) => r.ok).map((r) => r.body);
    }
    if (!current(generation)) return;
    fillTable('#analyses', analyses, 'analysis', (a) => [a.project_name,
      (a.analysis_types || []).join(', '), badge(a.status),
      progressBar(a.progress, 'progress of analysis ' + a.analysis_id),
      a.quality_score === null || a.quality_score === undefined ? '' : a.quality_score + ' / 10', when(a.created_at)]);
    pager('#analyses-pager', total, state.analyses);
  }

  function fillTable(selector, tasks, kind, cells) {
    const body = $(selector + ' tbody');
    const rows = tasks.map((task) => {
      const id = kind === 'build' ? task.task_id : task.analysis_id;
      const href = '#/' + kind + '/' + encodeURIComponent(id);
      const values = cells(task);
      const row = h('tr', { 'data-task-id': id, 'data-status': task.status, onclick: (e) => {
        if (e.target.tagName !== 'A') location.hash = href;
      } }, h('td', {}, h('a', { href, 'aria-label': 'Open ' + kind + ' ' + id }, h('code', {}, shortId(id)))));
      // goal (or types), duration (or score) and created are left out on narrow screens
      values.forEach((value, i) => row.append(h('td', { class: i === 1 || i >= 4 ? 'wide' : null }, value)));
      return row;
    });
    if (rows.length === 0) rows.push(h('tr', {}, h('td', { class: 'empty', colspan: 7 }, 'Nothing yet.')));
    // The table is redrawn on every refresh; keep the keyboard focus on the same task's link.
    const focused = body.contains(document.activeElement) && document.activeElement.closest('tr[data-task-id]');
    body.replaceChildren(...rows);
    if (focused) {
      const again = body.querySelector('tr[data-task-id="' + CSS.escape(focused.dataset.taskId) + '"] a');
      if (again) again.focus();
    }
  }

  function pager(selector, total, offset) {
    const el = $(selector);
    el.hidden = total <= PAGE;
    $('.page-info', el).textContent = total === 0 ? '' :
      (offset + 1) + '-' + Math.min(total, offset + PAGE) + ' of ' + total;
    $('[data-page=prev]', el).disabled = offset === 0;
    $('[data-page=next]', el).disabled = offset + PAGE >= total;
  }

  function turnPage(event) {
    const button = event.target.closest('[data-page]');
    if (!button) return;
    const key = event.currentTarget.id === 'builds-pager' ? 'builds' : 'analyses';
    state[key] = Math.max(0, state[key] + (button.dataset.page === 'next' ? PAGE : -PAGE));
    refreshLists(state.generation);
  }

  function renderHealth(status) {
    $('#health').hidden = false;
    const rows = Object.entries(status.components || {}).map(([name, c]) => h('tr', {},
      h('th', { scope: 'row' }, name), h('td', {}, h('span', { class: 'badge ' + (c.status === 'up' ? 'completed' : 'failed') }, c.status)),
      h('td', {}, Object.entries(c.details || {}).map(([k, v]) => h('span', { class: 'detail' },
        h('span', { class: 'muted' }, k.replace(/_/g, ' ') + ': '), typeof v === 'object' ? JSON.stringify(v) : String(v))))));
    $('#components tbody').replaceChildren(...rows);
  }

  // ---- new task form -------------------------------------------------------------------------

  async function loadProjects(generation) {
    const select = $('#f-project');
    const res = await api('/api/projects');
    if (!current(generation)) return;
    if (!res.ok) {
      $('#err-project_name').textContent = problemText(res);
      return;
    }
    const chosen = select.value;
    select.replaceChildren(...res.body.projects.map((p) => h('option', { value: p.name },
      p.name + (p.build_tool ? ' (' + p.build_tool + ')' : ''))));
    if (chosen) select.value = chosen;
  }

  function kind() {
    return $('#task-form input[name=kind]:checked').value;
  }

  function switchKind() {
    const analysis = kind() === 'analysis';
    $('#task-form .build-only').hidden = analysis;
    $('#task-form .analysis-only').hidden = !analysis;
  }

  function clearErrors(form) {
    for (const p of form.querySelectorAll('.field-error')) p.textContent = '';
    for (const f of form.querySelectorAll('[aria-invalid]')) f.removeAttribute('aria-invalid');
  }

  function fieldError(form, field, message) {
    const name = String(field || 'form').split(/[.[]/)[0];
    const slot = form.querySelector('.field-error[data-field="' + name + '"]') || $('#err-form');
    slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') +
      (slot.id === 'err-form' && field ? field + ': ' : '') + message;
    const input = form.querySelector('[name="' + name + '"]');
    if (input && input.type !== 'checkbox') input.setAttribute('aria-invalid', 'true');
  }

  async function submitTask(event) {
    event.preventDefault();
    const form = event.target;
    clearErrors(form);
    const isBuild = kind() === 'build';
    const body = { project_name: form.project_name.value };
    if (isBuild) {
      body.goal = form.goal.value;
      const parameters = {};
      for (const line of form.parameters.value.split('\n').map((l) => l.trim()).filter(Boolean)) {
        const eq = line.indexOf('=');
        if (eq < 1) {
          fieldError(form, 'parameters', 'Write each parameter as key=value ("' + line + '" is not).');
          return;
        }
        parameters[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      }
      if (Object.keys(parameters).length) body.parameters = parameters;
    } else {
      body.analysis_types = [...form.querySelectorAll('input[name=analysis_types]:checked')].map((c) => c.value);
    }
    const button = $('#start');
    button.disabled = true;
    try {
      const res = await api(isBuild ? '/api/build/' : '/api/analysis/',
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status === 202) {
        if (isBuild) {
          location.hash = '#/build/' + encodeURIComponent(res.body.task_id);
        } else {
          const ids = JSON.parse(sessionStorage.getItem(ANALYSES_KEY) || '[]');
          sessionStorage.setItem(ANALYSES_KEY, JSON.stringify([res.body.analysis_id, ...ids].slice(0, 200)));
          location.hash = '#/analysis/' + encodeURIComponent(res.body.analysis_id);
        }
        return;
      }
      const errors = (res.body && res.body.errors) || [];
      if (errors.length === 0) fieldError(form, null, problemText(res));
      for (const e of errors) fieldError(form, e.field, e.message);
      const first = form.querySelector('[aria-invalid=true]');
      if (first) first.focus();
    } finally {
      button.disabled = false;
    }
  }

  // ---- one task: build or analysis -----------------------------------------------------------

  async function openTask(kind, id, generation) {
    const container = $('#task-body');
    $('#task-title').textContent = (kind === 'build' ? 'Build ' : 'Analysis ') + shortId(id);
    container.replaceChildren(h('p', { class: 'muted' }, 'Loading...'));
    const res = await api('/api/' + kind + '/' + encodeURIComponent(id));
    if (!current(generation)) return;
    if (!res.ok) {
      const text = res.status === 403 ? 'This ' + kind + ' belongs to another user; you may not open it.'
        : res.status === 404 ? 'There is no ' + kind + ' with this id.' : problemText(res);
      container.replaceChildren(h('p', { class: 'alert', role: 'alert', id: 'task-error', 'data-http-status': res.status }, text),
        h('p', {}, h('a', { href: '#/' }, 'Back to the tasks')));
      return;
    }
    const view = { kind, id, task: res.body, log: null };
    draw(view);
    if (TERMINAL.includes(view.task.status)) {
      if (kind === 'build') await loadLog(view);
      return;
    }
    if (kind === 'build') followBuild(view);
    else followAnalysis(view);
  }

  function draw(view) {
    const t = view.task;
    const container = $('#task-body');
    const parts = [facts(view), actions(view)];
    if (view.kind === 'build') parts.push(...buildResults(t), h('h2', { id: 'log-title' }, 'Log'),
      view.log || (view.log = h('pre', { class: 'log', id: 'log', tabindex: 0, 'aria-labelledby': 'log-title', 'aria-live': 'off' })));
    else parts.push(...analysisResults(view));
    container.replaceChildren(...parts);
  }

  function facts(view) {
    const t = view.task;
    return h('dl', { class: 'facts', id: 'task-facts', 'data-task-id': view.id, 'data-status': t.status },
      h('dt', {}, 'Status'), h('dd', {}, badge(t.status)),
      h('dt', {}, 'Progress'), h('dd', {}, progressBar(t.progress, 'progress'),
        t.current_step ? ' ' + t.current_step : ''),
      h('dt', {}, 'Project'), h('dd', {}, t.project_name),
      view.kind === 'build' ? [h('dt', {}, 'Goal'), h('dd', {}, t.goal)]
        : [h('dt', {}, 'Types'), h('dd', {}, (t.analysis_types || []).join(', '))],
      h('dt', {}, 'Owner'), h('dd', {}, t.owner),
      h('dt', {}, 'Attempt'), h('dd', {}, t.attempt + ' of ' + t.max_attempts),
      h('dt', {}, 'Created'), h('dd', {}, when(t.created_at)),
      h('dt', {}, 'Duration'), h('dd', {}, duration(t)),
      t.error ? [h('dt', {}, 'Error'), h('dd', { id: 'task-error-text' }, t.error.code + ': ' + t.error.message)] : null);
  }

  function actions(view) {
    const box = h('div', { class: 'actions' });
    if (TERMINAL.includes(view.task.status)) return box;
    const ask = h('button', { type: 'button', class: 'danger', id: 'cancel' }, 'Cancel ' + view.kind);
    ask.addEventListener('click', () => {
      const keep = h('button', { type: 'button', class: 'secondary', id: 'cancel-no' }, 'Keep it running');
      const yes = h('button', { type: 'button', class: 'danger', id: 'cancel-yes' }, 'Yes, cancel it');
      const confirmBox = h('div', { class: 'confirm', role: 'alertdialog', 'aria-labelledby': 'confirm-text' },
        h('p', { id: 'confirm-text' }, 'Cancel this ' + view.kind + '? A running step is stopped.'), yes, ' ', keep);
      keep.addEventListener('click', () => { confirmBox.replaceWith(ask); ask.focus(); });
      yes.addEventListener('click', async () => {
        yes.disabled = true;
        const res = await api('/api/' + view.kind + '/' + encodeURIComponent(view.id), { method: 'DELETE' });
        flash(res.ok ? res.body.message : problemText(res));
        if (res.ok) refreshTask(view);
      });
      ask.replaceWith(confirmBox);
      yes.focus();
    });
    box.append(ask);
    return box;
  }

  async function refreshTask(view) {
    const res = await api('/api/' + view.kind + '/' + encodeURIComponent(view.id));
    if (res.ok) {
      view.task = res.body;
      draw(view);
    }
  }

  function buildResults(t) {
    const r = t.results || {};
    const out = [];
    if (r.steps && r.steps.length) {
      out.push(h('h2', {}, 'Steps'), h('div', { class: 'table-wrap' }, h('table', { id: 'steps' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'Exit code'), h('th', { scope: 'col' }, 'Time'))),
        h('tbody', {}, r.steps.map((s) => h('tr', {}, h('td', {}, s.name), h('td', {}, String(s.exit_code)),
          h('td', {}, (s.duration_ms / 1000).toFixed(1) + ' s')))))));
    }
    if (r.tests && r.tests.total !== undefined) {
      out.push(h('h2', {}, 'Tests'), h('ul', { class: 'metrics', id: 'tests' },
        ['total', 'passed', 'failed', 'skipped'].map((k) => h('li', {}, h('strong', {}, String(r.tests[k] || 0)), k))));
    }
    if (r.failures && r.failures.length) {
      out.push(h('h2', {}, 'Failures'), h('ul', { class: 'findings', id: 'failures' },
        r.failures.map((f) => h('li', {}, h('code', {}, f.test || ''), ' ', f.message || ''))));
    }
    return out;
  }

  function analysisResults(view) {
    const t = view.task;
    if (t.status !== 'completed') return [];
    const out = [];
    out.push(h('h2', {}, 'Score'), h('p', { class: 'score', id: 'score' }, t.quality_score + ' / 10'),
      h('ul', { class: 'metrics', id: 'measures' },
        [['security issues', Array.isArray(t.security_issues) ? t.security_issues.length : t.security_issues], ['code smells', t.code_smells], ['type errors', t.type_errors],
          ['coverage', t.coverage_percent === null ? 'n/a' : t.coverage_percent + ' %']]
          .map(([k, v]) => h('li', {}, h('strong', {}, String(v === null || v === undefined ? 'n/a' : v)), k))));
    const m = t.measures || {};
    out.push(h('dl', { class: 'facts' }, Object.entries(m).map(([k, v]) =>
      [h('dt', {}, k.replace(/_/g, ' ')), h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))])));
    const findings = t.findings || [];
    out.push(h('h2', {}, 'Findings (' + findings.length + (t.findings_total > findings.length ? ' of ' + t.findings_total : '') + ')'));
    if (findings.length === 0) out.push(h('p', { class: 'muted' }, 'No findings.'));
    for (const severity of SEVERITIES) {
      const group = findings.filter((f) => f.severity === severity);
      if (group.length === 0) continue;
      out.push(h('section', { class: 'severity', 'data-severity': severity },
        h('h3', {}, severity + ' (' + group.length + ')'),
        h('ul', { class: 'findings' }, group.map((f) => h('li', { class: 'finding' },
          h('code', {}, (f.file || 'project') + (f.line ? ':' + f.line : '')), ' ',
          h('span', { class: 'rule' }, f.rule), ' ', f.message, f.tool ? ' (' + f.tool + ')' : '')))));
    }
    const recs = t.recommendations || [];
    if (recs.length) out.push(h('h2', {}, 'Recommendations'), h('ol', { id: 'recommendations' }, recs.map((r) => h('li', {}, String(r)))));
    const link = h('a', { href: base + '/api/analysis/' + encodeURIComponent(view.id) + '/sarif', id: 'sarif',
      download: 'analysis-' + view.id + '.sarif' }, 'Download SARIF');
    // A plain link would carry no token; fetch with the header and hand the browser a blob.
    link.addEventListener('click', async (e) => {
      e.preventDefault();
      const res = await fetch(link.href, { headers: { Authorization: 'Bearer ' + token() } });
      if (!res.ok) { flash('The SARIF download failed (HTTP ' + res.status + ').'); return; }
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: link.getAttribute('download') });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
    out.push(h('p', {}, link));
    return out;
  }

  function applyEvent(view, type, data) {
    if (type === 'log') {
      appendLines(view, [data.line]);
      return;
    }
    if (type === 'done') {
      view.task = data;
      draw(view);
      return;
    }
    const wasTerminal = TERMINAL.includes(view.task.status);
    if (data.status) view.task.status = data.status;
    view.task.progress = data.progress;
    view.task.current_step = data.current_step;
    $('#task-facts').replaceWith(facts(view));
    if (TERMINAL.includes(view.task.status) && !wasTerminal) {
      // 'done' follows with the whole finished task and draws the results; nothing to cancel now
      $('#task-body .actions').replaceChildren();
    }
  }

  function appendLines(view, lines) {
    if (!view.log) return;
    if (view.buffer) { view.buffer.push(...lines); return; }
    const shown = view.echo ? lines.filter((line) => !isEcho(view, line)) : lines;
    if (shown.length === 0) return;
    view.log.append(shown.map((l) => l + '\n').join(''));
    view.log.scrollTop = view.log.scrollHeight;
  }

  /**
   * A live line the stored log already showed. The stream was subscribed before the log was
   * read, so lines written in between come twice: in the stored log and as events, possibly
   * after the log arrived. Those echoes are a run of the stored log's tail, in order; the first
   * live line that does not continue the run ends the check. (Event numbers, once the server
   * sends them, make this exact.)
   */
  function isEcho(view, line) {
    const stored = view.echo;
    // the check ended on an earlier line of the same batch (appendLines filters a whole batch)
    if (!stored) return false;
    if (view.echoAt === undefined) {
      // the run starts at the newest stored copy of the first live line, if it is recent
      const at = stored.lastIndexOf(line);
      if (at >= 0 && at >= stored.length - 500) {
        view.echoAt = at + 1;
        return true;
      }
    } else if (view.echoAt < stored.length && stored[view.echoAt] === line) {
      view.echoAt++;
      return true;
    }
    view.echoAt = stored.length;
    view.echo = null;
    return false;
  }

  /** The stored log, then the live lines that are not echoes of it. */
  async function loadLog(view) {
    if (!token()) return;
    const res = await api('/api/build/' + encodeURIComponent(view.id) + '/logs', { headers: { Accept: 'text/plain' } });
    const stored = res.ok ? String(res.body).split('\n').filter((l, i, all) => l !== '' || i < all.length - 1) : [];
    const buffered = view.buffer || [];
    view.buffer = null;
    if (view.log) view.log.textContent = '';
    appendLines(view, stored);
    if (view.following) {
      view.echo = stored;
      view.echoAt = undefined;
    }
    appendLines(view, buffered);
  }

  async function followBuild(view) {
    const controller = new AbortController();
    state.cleanup.push(() => controller.abort());
    view.buffer = [];
    view.following = true;
    try {
      const res = await fetch(base + '/api/build/' + encodeURIComponent(view.id) + '/events', {
        headers: { Authorization: 'Bearer ' + token(), Accept: 'text/event-stream' }, signal: controller.signal, cache: 'no-store' });
      if (!res.ok) { flash('Live updates are unavailable (HTTP ' + res.status + ').'); return; }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      let first = true;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const frame = text.slice(0, end);
          text = text.slice(end + 2);
          let type = 'message';
          let data = '';
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!data) continue; // a keep-alive comment
          applyEvent(view, type, JSON.parse(data));
          if (first) {
            // Subscribed: now the stored log can be read without missing a line.
            first = false;
            loadLog(view);
          }
        }
      }
    } catch (e) {
      if (e.name !== 'AbortError') flash('Live updates stopped: ' + e.message);
    }
  }

  function followAnalysis(view) {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const socket = new WebSocket(scheme + location.host + base + '/api/analysis/' + encodeURIComponent(view.id) + '/ws');
    let closedByUs = false;
    state.cleanup.push(() => { closedByUs = true; socket.close(1000); });
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token: token() })));
    socket.addEventListener('message', (e) => {
      const message = JSON.parse(e.data);
      if (message.type !== 'pong') applyEvent(view, message.type, message.data);
    });
    socket.addEventListener('close', (e) => {
      if (!closedByUs && e.code !== 1000) flash('Live updates stopped (' + e.code + ' ' + e.reason + ').');
    });
  }

  // ---- wiring --------------------------------------------------------------------------------

  $('#signin-form').addEventListener('submit', signIn);
  $('#signout').addEventListener('click', () => signOut());
  $('#task-form').addEventListener('submit', submitTask);
  for (const radio of document.querySelectorAll('#task-form input[name=kind]')) radio.addEventListener('change', switchKind);
  $('#builds-pager').addEventListener('click', turnPage);
  $('#analyses-pager').addEventListener('click', turnPage);
  $('#everyone').addEventListener('change', (e) => {
    state.everyone = e.target.checked;
    state.builds = 0;
    state.analyses = 0;
    refreshLists(state.generation);
  });
  window.addEventListener('hashchange', () => { flash(''); render(); });
  render();
}());
