/** The launch page: choose a selection and partitions, preview the plan, then launch it. */
import { postJson, serverInfo, sessionInfo } from './api.js';
import { h, replace } from './dom.js';
import { formatNumber } from './format.js';

const LAST_SELECTION = 'shopflow.selectedAsset';

function field(label, control, help, id) {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    help ? h('p', { class: 'help', id: `${id}-help` }, help) : null,
  );
}

function planTable(plan) {
  if (plan.steps.length === 0) {
    return h(
      'p',
      { class: 'muted', 'data-testid': 'plan-empty' },
      `Nothing to do: ${formatNumber(plan.upToDate)} selected partitions are up to date. Tick “Force” to re-materialize them anyway.`,
    );
  }
  const blocked = plan.steps.filter((st) => st.blockedBy.length > 0).length;
  return [
    blocked
      ? h(
          'div',
          { class: 'alert alert-warn', role: 'status' },
          `${blocked} step${blocked > 1 ? 's' : ''} will be skipped: an upstream partition is neither materialized nor in this plan. Add `,
          h('code', {}, '+'),
          ' before the asset to include its upstream.',
        )
      : null,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'table compact', 'data-testid': 'plan-steps' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['#', 'Step', 'Why', 'After'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          plan.steps.slice(0, 500).map((step, i) =>
            h(
              'tr',
              {
                'data-testid': 'plan-step',
                'data-step': step.key,
                class: step.blockedBy.length ? 'row-warn' : null,
              },
              h('td', { class: 'num muted' }, String(i + 1)),
              h('td', {}, h('code', {}, step.key)),
              h(
                'td',
                {},
                h(
                  'ul',
                  { class: 'reasons' },
                  step.reasons.map((r) =>
                    h(
                      'li',
                      {},
                      h('span', { class: `reason-code reason-${r.code}` }, r.code.replaceAll('_', ' ')),
                      ' ',
                      r.message,
                    ),
                  ),
                ),
                step.blockedBy.length
                  ? h(
                      'div',
                      { class: 'small warn-text' },
                      `blocked by ${step.blockedBy.slice(0, 3).join(', ')}`,
                    )
                  : null,
              ),
              h(
                'td',
                { class: 'small muted' },
                step.dependsOn.length
                  ? step.dependsOn.slice(0, 3).join(', ') +
                      (step.dependsOn.length > 3 ? ` +${step.dependsOn.length - 3}` : '')
                  : '—',
              ),
            ),
          ),
        ),
      ),
    ),
    plan.steps.length > 500
      ? h('p', { class: 'muted small' }, `…and ${formatNumber(plan.steps.length - 500)} more steps.`)
      : null,
  ];
}

/** Renders the launch page into `root`. */
export async function renderLaunch(root, { selection }) {
  const [info, access] = await Promise.all([serverInfo(), sessionInfo()]);
  const needsSignIn = !info.readOnly && !access.canLaunch;
  const input = (attrs) => h('input', { class: 'input', ...attrs });
  const selectionInput = input({
    id: 'launch-selection',
    name: 'selection',
    value: selection ?? sessionStorage.getItem(LAST_SELECTION) ?? '*',
    'data-testid': 'launch-selection',
    'aria-describedby': 'launch-selection-help',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const mode = (value, label) =>
    h(
      'label',
      { class: 'radio' },
      h('input', {
        type: 'radio',
        name: 'partition-mode',
        value,
        checked: value === 'all',
        'data-testid': `partition-mode-${value}`,
      }),
      label,
    );
  const keyInput = input({
    id: 'launch-partition',
    placeholder: '2024-01-15',
    'data-testid': 'launch-partition',
    disabled: true,
  });
  const fromInput = input({
    id: 'launch-from',
    placeholder: 'from 2024-01-01',
    'aria-label': 'First partition',
    'data-testid': 'launch-from',
    disabled: true,
  });
  const toInput = input({
    id: 'launch-to',
    placeholder: 'to 2024-01-31',
    'aria-label': 'Last partition',
    'data-testid': 'launch-to',
    disabled: true,
  });
  const forceInput = h('input', { type: 'checkbox', id: 'launch-force', 'data-testid': 'launch-force' });
  const concurrencyInput = input({
    id: 'launch-concurrency',
    type: 'number',
    min: 1,
    max: 64,
    placeholder: 'default',
    'data-testid': 'launch-concurrency',
  });
  const previewButton = h(
    'button',
    { type: 'submit', class: 'button secondary', 'data-testid': 'preview-plan' },
    'Preview plan',
  );
  const launchButton = h(
    'button',
    { type: 'button', class: 'button', 'data-testid': 'launch-run', disabled: true },
    'Launch',
  );
  const message = h('div', { 'aria-live': 'assertive' });
  const planBox = h('section', { class: 'card wide plan-card', 'data-testid': 'plan-preview', hidden: true });
  let previewed = null;

  const form = h(
    'form',
    { class: 'card launch-form', 'data-testid': 'launch-form', novalidate: true },
    field(
      'Selection',
      selectionInput,
      h(
        'span',
        {},
        h('code', {}, 'key'),
        ', ',
        h('code', {}, '+key'),
        ' (with upstream), ',
        h('code', {}, 'key+'),
        ' (with downstream), ',
        h('code', {}, 'group:NAME'),
        ', ',
        h('code', {}, 'tag:NAME'),
        ', ',
        h('code', {}, '*'),
        '; commas for several.',
      ),
      'launch-selection',
    ),
    h(
      'fieldset',
      { class: 'field' },
      h('legend', {}, 'Partitions'),
      h(
        'div',
        { class: 'radios' },
        mode('all', 'All stale'),
        mode('key', 'One partition'),
        mode('range', 'A range'),
      ),
      h('div', { class: 'partition-inputs' }, keyInput, fromInput, toInput),
    ),
    h(
      'div',
      { class: 'field-row' },
      h(
        'label',
        { class: 'checkbox', for: 'launch-force' },
        forceInput,
        ' Force: re-materialize even what is up to date',
      ),
      field('Concurrency', concurrencyInput, null, 'launch-concurrency'),
    ),
    needsSignIn
      ? h(
          'div',
          { class: 'alert alert-warn', role: 'status', 'data-testid': 'launch-sign-in' },
          'Launching runs needs the server’s token: ',
          h('a', { href: '#/sign-in' }, 'sign in'),
          ' first. Plans can be previewed without it.',
        )
      : null,
    info.readOnly
      ? h(
          'div',
          { class: 'alert alert-warn', role: 'status', 'data-testid': 'launch-read-only' },
          'This server runs read-only: plans can be previewed, runs cannot be launched.',
        )
      : null,
    h('div', { class: 'actions' }, previewButton, launchButton),
    message,
  );

  function partitionMode() {
    return form.querySelector('input[name="partition-mode"]:checked').value;
  }

  function request() {
    const body = { selection: selectionInput.value.trim() || '*', force: forceInput.checked };
    const m = partitionMode();
    if (m === 'key' && keyInput.value.trim())
      body.partitions = {
        keys: keyInput.value
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      };
    if (m === 'range') body.partitions = { from: fromInput.value.trim(), to: toInput.value.trim() };
    if (concurrencyInput.value) body.concurrency = Number(concurrencyInput.value);
    return body;
  }

  function showError(error) {
    replace(
      message,
      h(
        'div',
        { class: 'alert alert-error', role: 'alert', 'data-testid': 'launch-error' },
        error.code ? h('strong', {}, `${error.code}: `) : null,
        error.message,
      ),
    );
  }

  function invalidate() {
    previewed = null;
    launchButton.disabled = true;
  }

  form.addEventListener('input', () => {
    const m = partitionMode();
    keyInput.disabled = m !== 'key';
    fromInput.disabled = toInput.disabled = m !== 'range';
    invalidate();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    invalidate();
    const body = request();
    const { concurrency, ...planBody } = body;
    previewButton.disabled = true;
    try {
      const plan = await postJson('/api/plan', planBody);
      previewed = body;
      planBox.hidden = false;
      replace(
        planBox,
        h(
          'div',
          { class: 'card-header' },
          h('h2', {}, 'Plan'),
          h(
            'span',
            { class: 'muted', 'data-testid': 'plan-summary' },
            `${formatNumber(plan.steps.length)} step${plan.steps.length === 1 ? '' : 's'} · ${formatNumber(plan.upToDate)} up to date · ${formatNumber(plan.assets.length)} assets selected`,
          ),
        ),
        planTable(plan),
      );
      launchButton.disabled = info.readOnly || needsSignIn || plan.steps.length === 0;
    } catch (error) {
      planBox.hidden = true;
      showError(error);
    } finally {
      previewButton.disabled = false;
    }
  });

  launchButton.addEventListener('click', async () => {
    if (!previewed) return;
    launchButton.disabled = true;
    replace(message);
    try {
      const { runId } = await postJson('/api/runs', previewed);
      location.hash = `#/runs/${runId}`;
    } catch (error) {
      launchButton.disabled = false;
      showError(error);
    }
  });

  replace(
    root,
    h(
      'section',
      { class: 'page launch-page' },
      h(
        'header',
        { class: 'page-header' },
        h(
          'div',
          {},
          h('h1', {}, 'Launch a materialization'),
          h(
            'p',
            { class: 'description' },
            'Preview what would run and why, then start it. The run continues on the server if you leave this page.',
          ),
        ),
      ),
      form,
      planBox,
    ),
  );
}
