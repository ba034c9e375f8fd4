/**
 * HTML pages shaped like the Azure DevOps run page: the "Extensions" tab showing a task's summary,
 * and the log view of a task step. Plain CSS, system fonts; each page reports its own height
 * (`data-height` on <html>) so a screenshot can be cut to fit.
 */
import { escapeHtml } from './markdownHtml';
import type { LogLine } from './log';

export interface RunInfo {
  pipeline: string;
  runNumber: string;
  project: string;
}

const BASE_CSS = `
  * { box-sizing: border-box; }
  html, body { margin: 0; background: #f8f8f8; color: rgba(0,0,0,.9);
    font-family: "Segoe UI", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 14px; }
  .topbar { height: 48px; background: #fff; border-bottom: 1px solid #e6e6e6; display: flex; align-items: center;
    padding: 0 20px; gap: 10px; color: rgba(0,0,0,.7); font-size: 14px; }
  .logo { width: 20px; height: 20px; border-radius: 3px; background: #0078d4; }
  .crumb-sep { color: rgba(0,0,0,.35); }
  .page { padding: 20px 32px 28px; }
  .run-title { font-size: 20px; font-weight: 600; margin: 4px 0 2px; }
  .run-sub { color: rgba(0,0,0,.55); font-size: 13px; margin-bottom: 14px; }
  .ok { display: inline-block; width: 16px; height: 16px; border-radius: 50%; background: #107c10; color: #fff;
    font-size: 11px; line-height: 16px; text-align: center; vertical-align: 1px; margin-right: 6px; }
  .tabs { display: flex; gap: 24px; border-bottom: 1px solid #e6e6e6; margin-bottom: 18px; }
  .tab { padding: 8px 0 10px; color: rgba(0,0,0,.6); font-weight: 600; }
  .tab.selected { color: rgba(0,0,0,.9); border-bottom: 2px solid #0078d4; }
  code, .mono { font-family: "Cascadia Mono", Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace; }
`;

const SUMMARY_CSS = `
  .card { background: #fff; border-radius: 4px; box-shadow: 0 1.6px 3.6px rgba(0,0,0,.13), 0 .3px .9px rgba(0,0,0,.11); }
  .card-head { padding: 14px 20px; font-size: 15px; font-weight: 600; border-bottom: 1px solid #eaeaea;
    display: flex; align-items: center; gap: 8px; }
  .chevron { color: rgba(0,0,0,.55); font-size: 11px; }
  .md { padding: 14px 20px 18px; line-height: 1.5; }
  .md table { border-collapse: collapse; margin: 4px 0 12px; }
  .md th, .md td { border: 1px solid #dcdcdc; padding: 6px 12px; text-align: left; vertical-align: top; }
  .md th { background: #f4f4f4; font-weight: 600; }
  .md tr:nth-child(even) td { background: #fbfbfb; }
  .md code { background: #f0f0f0; border-radius: 3px; padding: 1px 4px; font-size: 12.5px; }
  .md ul, .md ol { margin: 6px 0; padding-left: 22px; }
  .md li { margin: 3px 0; }
  .md p { margin: 6px 0; }
  .md h1, .md h2, .md h3 { font-size: 16px; margin: 12px 0 6px; }
`;

const LOG_CSS = `
  .log { background: #fff; border-radius: 4px; box-shadow: 0 1.6px 3.6px rgba(0,0,0,.13), 0 .3px .9px rgba(0,0,0,.11);
    overflow: hidden; }
  .log-head { padding: 12px 20px; font-size: 15px; font-weight: 600; border-bottom: 1px solid #eaeaea;
    display: flex; align-items: center; gap: 8px; }
  .lines { padding: 8px 0 12px; font-size: 12.5px; line-height: 20px; }
  .line { display: flex; white-space: pre; }
  .no { width: 52px; flex: none; text-align: right; padding-right: 14px; color: rgba(0,0,0,.4); user-select: none; }
  .text { overflow: hidden; text-overflow: clip; padding-right: 16px; }
  .heading .text { font-weight: 600; }
  .twisty { display: inline-block; width: 14px; color: rgba(0,0,0,.6); }
  .section .text { color: #0078d4; font-weight: 600; }
  .warning .text { color: #8a5a00; background: #fff4ce; }
  .error .text { color: #a4262c; background: #fde7e9; }
  .indent { padding-left: 14px; }
`;

const MEASURE = `<script>
  addEventListener('load', () => {
    document.documentElement.setAttribute('data-height', String(Math.ceil(document.documentElement.scrollHeight)));
  });
</script>`;

function page(title: string, css: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${BASE_CSS}${css}</style>${MEASURE}</head>
<body>${body}</body></html>
`;
}

function runHeader(run: RunInfo, selectedTab: string, tabs: string[]): string {
  return `<div class="topbar"><span class="logo"></span><span>${escapeHtml(run.project)}</span>
  <span class="crumb-sep">/</span><span>Pipelines</span><span class="crumb-sep">/</span>
  <span>${escapeHtml(run.pipeline)}</span><span class="crumb-sep">/</span><span>${escapeHtml(run.runNumber)}</span></div>
<div class="page">
  <div class="run-title"><span class="ok">✓</span>#${escapeHtml(run.runNumber)} · ${escapeHtml(run.pipeline)}</div>
  <div class="run-sub">Release candidate from Acceptance to Pre-Production</div>
  <div class="tabs">${tabs
    .map((t) => `<div class="tab${t === selectedTab ? ' selected' : ''}">${escapeHtml(t)}</div>`)
    .join('')}</div>`;
}

/** The run page's Extensions tab showing one attached summary (`summaryHtml` from markdownToHtml). */
export function summaryPage(run: RunInfo, summaryTitle: string, summaryHtml: string): string {
  return page(
    summaryTitle,
    SUMMARY_CSS,
    `${runHeader(run, 'Extensions', ['Summary', 'Tests', 'Extensions'])}
  <div class="card"><div class="card-head"><span class="chevron">▼</span>${escapeHtml(summaryTitle)}</div>
  <div class="md">${summaryHtml}</div></div>
</div>`,
  );
}

export interface LogView {
  /** The step's name as the agent shows it (its instanceNameFormat with inputs filled in). */
  stepName: string;
  lines: LogLine[];
  /** Groups (by heading text) shown expanded; the others are shown collapsed, as the log view opens them. */
  expandedGroups: ReadonlySet<string>;
}

/** The log view of one step: line numbers, sections, collapsible groups. */
export function logPage(run: RunInfo, view: LogView): string {
  const rows: string[] = [];
  let number = 0;
  let inGroup = false;
  let collapsed = false;
  for (const line of view.lines) {
    if (line.kind === 'groupEnd') {
      inGroup = false;
      continue;
    }
    if (line.kind === 'heading') {
      inGroup = true;
      collapsed = !view.expandedGroups.has(line.text);
      number++;
      rows.push(
        `<div class="line heading"><span class="no">${String(number)}</span><span class="text">` +
          `<span class="twisty">${collapsed ? '▶' : '▼'}</span>${escapeHtml(line.text)}</span></div>`,
      );
      continue;
    }
    if (line.kind === 'section') inGroup = false;
    number++;
    if (inGroup && collapsed) continue;
    const indent = inGroup ? ' indent' : '';
    rows.push(
      `<div class="line ${line.kind}"><span class="no">${String(number)}</span>` +
        `<span class="text${indent}">${escapeHtml(line.text === '' ? ' ' : line.text)}</span></div>`,
    );
  }
  return page(
    view.stepName,
    LOG_CSS,
    `${runHeader(run, 'Logs', ['Summary', 'Logs', 'Extensions'])}
  <div class="log"><div class="log-head"><span class="ok">✓</span>${escapeHtml(view.stepName)}</div>
  <div class="lines mono">${rows.join('\n')}</div></div>
</div>`,
  );
}
