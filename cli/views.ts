import { RECORD_STATUSES } from '../lambdas/shared/record/folder-record';
import type { StoredRecord } from '../lambdas/shared/record/record-query';
import { fixFor } from './fixes';
import { ago, type Colors, clip, duration, progressBar, statusWord, table } from './format';
import type { FolderLine, Overview } from './overview';
import { appendOf, appendsOf, errorOf, numberOf, textOf } from './record-view';

/** What a view is drawn with: colours, the time, and how wide messages may be. */
export interface ViewStyle {
  c: Colors;
  now: Date;
  width?: number;
}

/** The deployment line and the counts by status. */
export function headerLines(o: Overview, { c }: ViewStyle): string[] {
  const d = o.deployment;
  const counts = RECORD_STATUSES.map((s) => `${statusWord(s, c)} ${o.counts[s]}`).join('  ');
  return [
    `${c.bold(d.stackName)} · ${d.trigger} trigger · bucket ${d.bucket} · ${d.region} ${c.dim(`(${d.source})`)}`,
    '',
    `Folders by status  ${counts}`,
  ];
}

/** Datasets being created or indexed, with progress bars, and the gate's waiting list. */
export function inFlightLines(o: Overview, style: ViewStyle): string[] {
  const { c, now } = style;
  const gate = o.gate
    ? ` · ${o.gate.slotsHeld} of ${o.gate.slots || '?'} slots held, ${o.gate.waiting.length} waiting`
    : '';
  const waiting = new Set(o.gate?.waiting.map((w) => w.folderUri));
  const rows = o.inFlight
    .filter((line) => !waiting.has(line.folderUri))
    .map((line) => [
      statusWord(line.status, c),
      progressOf(line),
      line.folderUri,
      c.dim(ago(line.updatedAt, now)),
    ]);
  const lines = [`${c.bold('In flight')} (${o.inFlight.length}${gate})`];
  if (rows.length > 0) lines.push(indent(table(['STATUS', 'PROGRESS', 'FOLDER', 'UPDATED'], rows, c)));
  const parked = o.gate?.waiting ?? [];
  if (parked.length > 0) {
    lines.push(c.bold(`Waiting for a slot (${parked.length})`));
    const waitRows = parked.map((w, i) => [
      String(i + 1),
      w.folderUri,
      w.lane,
      c.dim(`since ${ago(w.parkedAt, now)}`),
    ]);
    lines.push(indent(table(['TURN', 'FOLDER', 'LANE', 'WAITING'], waitRows, c)));
  }
  if (rows.length === 0 && parked.length === 0) lines.push(c.dim('  no dataset is being created or indexed'));
  return lines;
}

/** Folders collecting objects (PENDING). */
export function collectingLines(o: Overview, { c, now }: ViewStyle): string[] {
  if (o.collecting.length === 0) return [];
  const rows = o.collecting.map((line) => [
    line.folderUri,
    line.objectCount === undefined ? '-' : `${line.objectCount} object(s)`,
    c.dim(`claimed ${ago(line.claimedAt, now)}`),
  ]);
  return [c.bold(`Collecting (${o.collecting.length})`), indent(table(['FOLDER', 'SEEN', 'SINCE'], rows, c))];
}

/** Batches of later objects being added to READY datasets. */
export function appendLines(o: Overview, { c, now }: ViewStyle): string[] {
  if (o.appends.length === 0) return [];
  const rows = o.appends.map((line) => [
    line.folderUri,
    `generation ${line.append?.generation ?? '?'}`,
    line.append?.status ?? '?',
    `${line.append?.count ?? '?'} object(s)`,
    c.dim(`since ${ago(line.append?.startedAt, now)}`),
  ]);
  return [
    c.bold(`Appends (${o.appends.length})`),
    indent(table(['FOLDER', 'BATCH', 'STATUS', 'SIZE', 'SINCE'], rows, c)),
  ];
}

/** The newest failures, each with the fix the docs give for its code. */
export function failureLines(o: Overview, style: ViewStyle): string[] {
  const { c } = style;
  if (o.failures.length === 0) return [c.bold('Newest failures'), c.dim('  none')];
  const lines = [c.bold(`Newest failures (${o.failures.length})`)];
  for (const line of o.failures) lines.push(...outcomeLines(line, style, true));
  return lines;
}

/** The newest outcomes, with their links. */
export function recentLines(o: Overview, style: ViewStyle): string[] {
  const { c } = style;
  const lines = [c.bold('Recent outcomes')];
  if (o.recent.length === 0) lines.push(c.dim('  none yet'));
  for (const line of o.recent) lines.push(...outcomeLines(line, style, false));
  return lines;
}

function outcomeLines(line: FolderLine, { c, now, width = 100 }: ViewStyle, withFix: boolean): string[] {
  const what = line.error
    ? `${line.error.code}: ${clip(line.error.message, width)}`
    : (line.datasetUrl ?? '');
  const lines = [
    `  ${c.dim(ago(line.updatedAt, now).padEnd(10))} ${statusWord(line.status, c)}  ${line.folderUri}`,
  ];
  if (what) lines.push(`      ${what}`);
  const fix = withFix ? fixFor(line.error?.code, line.folderUri) : undefined;
  if (fix) lines.push(`      ${c.cyan('fix:')} ${fix}`);
  return lines;
}

function progressOf(line: FolderLine): string {
  if (line.progress !== undefined) return progressBar(line.progress);
  if (line.status === 'CREATING') return 'creating the dataset';
  return line.vlStatus ?? '';
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** One folder in full: its record, its generations, its last error with the docs' fix, its dataset link. */
export function folderLines(record: StoredRecord, { c, now, width = 100 }: ViewStyle): string[] {
  const status = textOf(record, 'status') ?? 'UNKNOWN';
  const rows: [string, string][] = [];
  const add = (label: string, value: string | undefined) => {
    if (value) rows.push([label, value]);
  };
  const attempts = numberOf(record, 'attempts');
  add('status', `${statusWord(status, c)}${attempts ? ` (attempt ${attempts})` : ''}`);
  const datasetId = textOf(record, 'datasetId');
  add('dataset', [textOf(record, 'datasetName'), datasetId].filter(Boolean).join(' · '));
  add('link', textOf(record, 'datasetUrl'));
  const progress = numberOf(record, 'progress');
  const vl = [
    textOf(record, 'vlStatus'),
    progress === undefined ? undefined : progressBar(progress),
    numberOf(record, 'polls') === undefined ? undefined : `after ${numberOf(record, 'polls')} check(s)`,
  ].filter(Boolean);
  add('Visual Layer', vl.join(' '));
  const objects = numberOf(record, 'objectCount');
  const late = numberOf(record, 'lateObjectCount');
  const span = [textOf(record, 'firstObjectAt'), textOf(record, 'lastObjectAt')];
  add(
    'objects',
    objects === undefined
      ? undefined
      : `${objects}${span[0] ? ` (S3 times ${span[0]} … ${span[1] ?? '?'})` : ''}${late ? `; ${late} arrived after the create` : ''}`,
  );
  const images = numberOf(record, 'nImages');
  const videos = numberOf(record, 'nVideos');
  if (images !== undefined || videos !== undefined)
    add('media', `${images ?? 0} image(s), ${videos ?? 0} video(s)`);
  add('claimed', when(textOf(record, 'claimedAt'), now));
  add('settled', when(textOf(record, 'settledAt'), now));
  const finished = textOf(record, 'finishedAt');
  const claimed = textOf(record, 'claimedAt');
  const took = finished && claimed ? ` · took ${duration(Date.parse(finished) - Date.parse(claimed))}` : '';
  add('finished', finished ? `${when(finished, now)}${took}` : undefined);
  add('updated', when(textOf(record, 'updatedAt'), now));
  add('execution', textOf(record, 'executionArn'));
  const error = errorOf(record);
  if (error) {
    add('error', `${c.red(error.code)}: ${clip(error.message, width * 3)}`);
    add('fix', fixFor(error.code, record.folderUri));
  }
  const lastStatus = textOf(record, 'lastStatus');
  const lastError = errorOf(record, 'lastError');
  if (lastStatus || lastError) {
    const lastDataset = textOf(record, 'lastDatasetId');
    add(
      'previous',
      `${lastStatus ?? '?'}${lastError ? ` ${lastError.code}: ${clip(lastError.message, width)}` : ''}${lastDataset ? ` (dataset ${lastDataset})` : ''}`,
    );
  }
  const lines = [
    c.bold(record.folderUri),
    ...rows.map(([label, value]) => `  ${c.dim(label.padEnd(13))} ${value}`),
  ];
  return [...lines, ...generationLines(record, { c, now, width })];
}

/** The dataset's generations: 1 is the create, then each append batch the record keeps. */
function generationLines(record: StoredRecord, { c, now }: ViewStyle): string[] {
  const generation = numberOf(record, 'generation');
  const batches = appendsOf(record);
  const current = appendOf(record);
  if (current && !batches.some((b) => b.generation === current.generation)) batches.push(current);
  if (generation === undefined && batches.length === 0) return [];
  const rows = batches.map((b) => [
    String(b.generation ?? '?'),
    b.status ?? '?',
    b.count === undefined ? '-' : String(b.count),
    ago(b.startedAt, now),
    b.error ? `${b.error.code}: ${clip(b.error.message, 60)}` : '',
  ]);
  const head = `  ${c.dim('generations'.padEnd(13))} ${generation ?? batches.length + 1} (1 = the create)`;
  return rows.length === 0
    ? [head]
    : [head, indent(indent(table(['GEN', 'STATUS', 'OBJECTS', 'STARTED', 'ERROR'], rows, c)))];
}

function when(iso: string | undefined, now: Date): string | undefined {
  return iso ? `${iso} (${ago(iso, now)})` : undefined;
}

/** The whole overview: header, work in flight, collecting, appends, then the failures or the recent outcomes. */
export function overviewLines(o: Overview, style: ViewStyle, last: 'failures' | 'recent'): string[] {
  return [
    ...headerLines(o, style),
    '',
    ...inFlightLines(o, style),
    ...spaced(collectingLines(o, style)),
    ...spaced(appendLines(o, style)),
    '',
    ...(last === 'failures' ? failureLines(o, style) : recentLines(o, style)),
  ];
}

/** Lines preceded by a blank line, or nothing. */
function spaced(lines: string[]): string[] {
  return lines.length > 0 ? ['', ...lines] : [];
}
