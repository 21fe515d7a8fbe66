// nianbao serve — the page. Vanilla JS, no build step, no external requests: every request
// goes to the nianbao server on this machine (see docs/web-api.md for the API).
'use strict';

(() => {
  // ------------------------------------------------------------------ strings (中文 / English)
  const I18N = {
    zh: {
      'skip': '跳到报告内容',
      'app.title': '政府信息公开工作年度报告 · 核对与填报',
      'doc.title': '政府信息公开工作年度报告 · 核对与填报',
      'btn.new2021': '新建 2021 版',
      'btn.new2019': '新建 2019 版',
      'btn.undo': '撤销',
      'btn.undo.title': '撤销上一步修改（Ctrl+Z）',
      'btn.zip': '全部下载（zip）',
      'btn.zip.title': '把所有已打开的报告打包下载（每份含 PDF、Word、JSON）',
      'btn.docx': 'Word',
      'btn.csv': 'CSV 表格',
      'btn.preview': '预览 PDF',
      'btn.source': '原文',
      'btn.source.title': '显示或隐藏右侧的原文',
      'lang.switch': 'English',
      'lang.switch.label': 'Switch to English',
      'drop.text': '把年报文件拖到这里，或点击选择文件 — 文件只在本机处理，不会上传到网上',
      'drop.hint': '可以一次选多个文件或整个文件夹。支持 Word（.docx）、PDF、网页（.html）、文本（.txt / .md）和 nianbao 的 .json 文件。',
      'drop.pick': '选择文件',
      'drop.folder': '选择文件夹',
      'drop.new': '没有文件？用右上角的“新建 2021 版”或“新建 2019 版”直接填写一份空白年报。',
      'drop.release': '松开鼠标即可打开这些文件',
      'list.title': '已打开的报告',
      'list.count': '（{n} 份）',
      'list.sort': '排序',
      'sort.attention': '最需要处理的在前',
      'sort.name': '按文件名',
      'list.close': '关闭',
      'list.close.label': '关闭 {name}',
      'list.discard': '有修改，确定丢弃？',
      'list.discard.label': '再点一次丢弃 {name} 的修改',
      'list.opening': '正在读取…',
      'list.checking': '正在核对…',
      'list.edited': '已修改',
      'count.inferred': '推出 {n}',
      'count.unresolved': '※ 无法确定 {n}',
      'count.rules': '▲ 不成立 {n}',
      'count.inferred.title': '由勾稽关系推出的单元格',
      'count.unresolved.title': '无法确定的单元格',
      'count.rules.title': '不成立的勾稽关系',
      'status.pass': '通过',
      'status.repaired': '有修复',
      'status.errors': '有违规或未确定',
      'status.unreadable': '无法读取',
      'summary.title': '核对结果',
      'summary.none': '还没有打开报告。',
      'summary.pass': '所有数字都能从原文确定，勾稽关系全部成立。',
      'summary.unresolved': '{n} 个单元格无法确定',
      'summary.unfilled': '还有 {n} 个单元格没有填写',
      'summary.nextUnfilled': '还有 {n} 个单元格没有填写 — 点一下跳到下一个',
      'summary.rules': '{n} 条勾稽关系不成立',
      'summary.otherErrors': '{n} 个其他问题',
      'summary.rule.first': '（{code}: {msg}{more}）',
      'summary.inferred': '{n} 个单元格由勾稽关系推出，请核对',
      'summary.repaired': '{n} 处读取时已自动修复',
      'summary.by_position': '{n} 个单元格按位置读取',
      'summary.edited': '已手工修改 {n} 个单元格',
      'summary.warningsOnly': '数字和勾稽关系没有问题；读取时有 {n} 处提示，见下方“其他提示”',
      'summary.sep': '，',
      'summary.end': '。',
      'summary.errors.title': '需要处理的问题（点一下跳到对应的单元格）：',
      'summary.warnings.title': '其他提示（{n} 条）',
      'summary.unreadable': '这个文件无法读取：',
      'summary.unreadable.advice': '请确认它是政府信息公开工作年度报告。如果是扫描件、加密或损坏的 PDF，可以换用 Word（.docx）版本，或把正文复制到 .txt 文件后再打开；也可以点“新建”直接填写。',
      'summary.loading': '正在读取，请稍候…',
      'summary.line': '原文第 {n} 行',
      'summary.more': '另有 {n} 条未列出',
      'summary.nextUnresolved': '{n} 个单元格无法确定，需要填写 — 点一下跳到下一个',
      'toolbar.download': '下载：',
      'toolbar.label': '下载当前报告',
      'legend.title': '标记说明',
      'legend.printed': '按原文读取',
      'legend.repaired': '读取时已修复',
      'legend.inferred': '原文缺失，由勾稽关系推出',
      'legend.by_position': '按位置对应读取',
      'legend.edited': '已手工修改',
      'legend.unresolved': '无法确定，请填写',
      'legend.rule': '勾稽关系不成立',
      'legend.blank': '空白',
      'legend.input': '在格子里直接改数字；留空表示未填，填 “/” 表示不适用。',
      'state.printed': '按原文读取',
      'state.repaired': '读取时已修复',
      'state.inferred': '由勾稽关系推出',
      'state.by_position': '按位置对应读取',
      'state.edited': '已手工修改',
      'state.unresolved': '无法确定',
      'state.rule': '勾稽关系不成立',
      'state.blank': '空白',
      'mark.none': '无标记',
      'cell.na': '不适用',
      'cell.blank': '空白',
      'cell.invalid': '“{v}”不是数字。请填数字；留空表示未填，填 “/” 表示不适用。',
      'cell.line': '原文第 {n} 行',
      'meta.form': '表格格式：{v} 版',
      'meta.title': '报告标题',
      'meta.title.placeholder': '（填写标题，例如：××市人民政府办公室2024年政府信息公开工作年度报告）',
      'meta.organization': '发布机关',
      'meta.year': '年度',
      'section.heading': '章节标题',
      'block.paragraph': '正文段落',
      'block.heading': '小标题',
      'block.placeholder': '（点这里填写内容）',
      'section.add': '＋ 添加一段文字',
      'section.tables': '表格',
      'source.title': '原文',
      'source.hint': '点中表格里的数字，这里会跳到它在原文中的那一行。',
      'source.none': '这份报告没有原文可显示（新建的报告，或从 JSON 打开）。',
      'source.notloaded': '原文没有保存在本机（存储空间不足），重新打开文件即可看到。',
      'preview.title': 'PDF 预览',
      'preview.download': '下载这个 PDF',
      'preview.close': '关闭预览',
      'msg.unreachable': '连不上本机的 nianbao 服务。请确认 nianbao 还在运行（重新打开它后刷新本页），您的修改已保存在本机。',
      'msg.quota': '浏览器的本机存储已满，最近的修改没能保存。请先下载需要的报告，再关闭不用的报告腾出空间。',
      'msg.quota.nosource': '本机存储空间不足：“{name}”的原文没有保存（修改已保存）。',
      'msg.toobig': '“{name}”太大（{size} MB），超过 {max} MB 的上限，没有打开。',
      'msg.skipped': '文件夹里有 {n} 个文件不是年报格式（如图片），已跳过。',
      'msg.nofiles': '没有找到可以打开的文件。',
      'msg.opened': '已打开 {n} 份报告。',
      'msg.tally': '其中：通过 {pass}，有修复 {repaired}，有违规或未确定 {errors}。',
      'msg.reverted': '“{v}”不是可用的数字，没有采用；{label} 现在是 {old}，请核对。',
      'cell.toobig': '“{v}”太大了：单元格最多填 1 万亿（10^12）。',
      'err.toolong': '{field}太长：{n} 个字，最多 {max} 个字。请删短一些（撤销可恢复原文）。',
      'err.toomuch': '报告正文太长（{what}），网页无法核对或生成文件。请用命令行 nianbao convert 处理这个文件。',
      'field.title': '标题', 'field.organization': '发布机关', 'field.year': '年度', 'blank.word': '空白', 'list.sep': '、',
      'summary.missing': '还没有填写：{what}（会印在报告的第一页）。',
      'msg.opened.some': '已打开 {n} 份报告；{bad} 个文件无法读取，原因写在左侧列表里。',
      'msg.opening': '正在读取 {done}/{n} …',
      'msg.downloaded': '已下载 {file}。',
      'msg.renderfail': '生成文件失败：{e}',
      'msg.checkfail': '核对失败：{e}',
      'msg.openfail': '读取失败：{e}',
      'msg.restored': '已恢复上次打开的 {n} 份报告。',
      'msg.nothing': '没有可以下载的报告。',
      'msg.undo.none': '没有可以撤销的修改。',
      'msg.undone': '已撤销：{what}',
      'msg.close': '关闭提示',
      'msg.preview.fail': '这个浏览器不能在页面里显示 PDF，请点“下载这个 PDF”。',
      'what.cell': '单元格 {label}',
      'what.text': '文字修改',
      'what.struct': '添加段落',
      'new.name': '新报告',
      'err.status': '服务返回错误（{status}）',
      'pre.empty': '文件是空的（0 字节）。',
      'pre.doc': '这是旧版 Word / WPS 文件（.doc/.wps/.rtf），不能直接读取。请在 Word 或 WPS 里“另存为”Word 文档（.docx）后再打开。',
      'pre.ofd': '这是 OFD 版式文件，不能直接读取。请用发布网站上的 Word、PDF 或网页版本。',
      'pre.sheet': '这是表格文件，不是年报全文。请打开年报的 Word、PDF、网页或文本版本。',
      'pre.image': '这是图片（扫描件），无法识别其中的文字。请使用文字版的年报（Word、PDF 文字版或网页）。',
      'pre.zip': '这是压缩包，请先解压，再把里面的年报文件（或整个文件夹）拖进来。',
      'unknown': '未知',
    },
    en: {
      'skip': 'Skip to the report',
      'app.title': 'Government information disclosure annual report · check and fill in',
      'doc.title': 'Annual report · check and fill in',
      'btn.new2021': 'New (2021 form)',
      'btn.new2019': 'New (2019 form)',
      'btn.undo': 'Undo',
      'btn.undo.title': 'Undo the last change (Ctrl+Z)',
      'btn.zip': 'Download all (zip)',
      'btn.zip.title': 'Download every open report in one zip (PDF, Word and JSON each)',
      'btn.docx': 'Word (DOCX)',
      'btn.csv': 'CSV tables',
      'btn.preview': 'Preview PDF',
      'btn.source': 'Source',
      'btn.source.title': 'Show or hide the source text on the right',
      'lang.switch': '中文',
      'lang.switch.label': '切换到中文',
      'drop.text': 'Drop report files here, or click to choose files — files are processed on this computer only, nothing is uploaded to the internet',
      'drop.hint': 'Choose several files or a whole folder at once. Word (.docx), PDF, web pages (.html), text (.txt / .md) and nianbao .json files.',
      'drop.pick': 'Choose files',
      'drop.folder': 'Choose a folder',
      'drop.new': 'No file? Use “New (2021 form)” or “New (2019 form)” at the top right to fill in a blank report.',
      'drop.release': 'Release to open these files',
      'list.title': 'Open reports',
      'list.count': '({n})',
      'list.sort': 'Sort',
      'sort.attention': 'Most work first',
      'sort.name': 'By file name',
      'list.close': 'Close',
      'list.close.label': 'Close {name}',
      'list.discard': 'Edited — discard?',
      'list.discard.label': 'Click again to discard the changes to {name}',
      'list.opening': 'Reading…',
      'list.checking': 'Checking…',
      'list.edited': 'edited',
      'count.inferred': 'inferred {n}',
      'count.unresolved': '※ unresolved {n}',
      'count.rules': '▲ rules {n}',
      'count.inferred.title': 'Cells inferred from the rules',
      'count.unresolved.title': 'Cells that cannot be determined',
      'count.rules.title': 'Failing rules',
      'status.pass': 'Passed',
      'status.repaired': 'Repaired',
      'status.errors': 'Errors or undetermined',
      'status.unreadable': 'Unreadable',
      'summary.title': 'Check result',
      'summary.none': 'No report open yet.',
      'summary.pass': 'Every figure is determined by the source and all rules hold.',
      'summary.unresolved': '{n} cell(s) cannot be determined',
      'summary.unfilled': '{n} cell(s) still to fill in',
      'summary.nextUnfilled': '{n} cell(s) still to fill in — click to go to the next',
      'summary.rules': '{n} rule(s) fail',
      'summary.otherErrors': '{n} other problem(s)',
      'summary.rule.first': ' ({code}: {msg}{more})',
      'summary.inferred': '{n} cell(s) inferred from the rules — please check',
      'summary.repaired': '{n} repair(s) made while reading',
      'summary.by_position': '{n} cell(s) read by position',
      'summary.edited': '{n} cell(s) edited by hand',
      'summary.warningsOnly': 'Figures and rules are fine; {n} note(s) from reading, see “Other notes” below',
      'summary.sep': '; ',
      'summary.end': '.',
      'summary.errors.title': 'To fix (click one to go to its cell):',
      'summary.warnings.title': 'Other notes ({n})',
      'summary.unreadable': 'This file cannot be read: ',
      'summary.unreadable.advice': 'Make sure it is a government information disclosure annual report. For a scanned, encrypted or damaged PDF, use the Word (.docx) version, or paste the text into a .txt file and open that; or click “New” to fill in the form.',
      'summary.loading': 'Reading, please wait…',
      'summary.line': 'source line {n}',
      'summary.more': '{n} more not listed',
      'summary.nextUnresolved': '{n} cell(s) cannot be determined and need filling in — click to go to the next',
      'toolbar.download': 'Download:',
      'toolbar.label': 'Download this report',
      'legend.title': 'Legend',
      'legend.printed': 'as printed',
      'legend.repaired': 'repaired while reading',
      'legend.inferred': 'missing, inferred from the rules',
      'legend.by_position': 'read by position',
      'legend.edited': 'edited by hand',
      'legend.unresolved': 'undetermined — fill it in',
      'legend.rule': 'rule fails',
      'legend.blank': 'blank',
      'legend.input': 'Type in a cell to change it; empty = not filled in, “/” = not applicable.',
      'state.printed': 'as printed',
      'state.repaired': 'repaired while reading',
      'state.inferred': 'inferred from the rules',
      'state.by_position': 'read by position',
      'state.edited': 'edited by hand',
      'state.unresolved': 'undetermined',
      'state.rule': 'rule fails',
      'state.blank': 'blank',
      'mark.none': 'no mark',
      'cell.na': 'not applicable',
      'cell.blank': 'blank',
      'cell.invalid': '“{v}” is not a number. Type a number; leave it empty for blank, “/” for not applicable.',
      'cell.line': 'source line {n}',
      'meta.form': 'Form: {v}',
      'meta.title': 'Title',
      'meta.title.placeholder': '(type the title, e.g. ××市人民政府办公室2024年政府信息公开工作年度报告)',
      'meta.organization': 'Organization',
      'meta.year': 'Year',
      'section.heading': 'Section heading',
      'block.paragraph': 'Paragraph',
      'block.heading': 'Sub-heading',
      'block.placeholder': '(click here to write)',
      'section.add': '+ Add a paragraph',
      'section.tables': 'Tables',
      'source.title': 'Source',
      'source.hint': 'Focus a figure in a table and this pane jumps to its line in the source.',
      'source.none': 'No source to show (a new report, or opened from JSON).',
      'source.notloaded': 'The source was not kept on this computer (storage full); open the file again to see it.',
      'preview.title': 'PDF preview',
      'preview.download': 'Download this PDF',
      'preview.close': 'Close preview',
      'msg.unreachable': 'Cannot reach the nianbao service on this computer. Make sure nianbao is still running (start it again, then reload this page); your changes are saved on this computer.',
      'msg.quota': 'The browser storage on this computer is full; the latest changes were not saved. Download the reports you need, then close the ones you no longer need.',
      'msg.quota.nosource': 'Storage is short: the source of “{name}” was not saved (the changes were).',
      'msg.toobig': '“{name}” is too large ({size} MB, the limit is {max} MB); not opened.',
      'msg.skipped': '{n} file(s) in the folder are not reports (e.g. images) and were skipped.',
      'msg.nofiles': 'No file to open was found.',
      'msg.opened': '{n} report(s) opened.',
      'msg.tally': 'Passed {pass}, repaired {repaired}, errors or undetermined {errors}.',
      'msg.reverted': '“{v}” is not a usable number and was not taken: {label} now holds {old}; please check it.',
      'cell.toobig': '“{v}” is too large: a cell holds at most 10^12.',
      'err.toolong': 'The {field} is too long: {n} characters, at most {max}. Shorten it (Undo brings the old text back).',
      'err.toomuch': 'The report\'s text is too long for the page ({what}): it cannot be checked or rendered here. Use the command line, nianbao convert, for this file.',
      'field.title': 'title', 'field.organization': 'issuing body', 'field.year': 'year', 'blank.word': 'blank', 'list.sep': ', ',
      'summary.missing': 'Still empty: {what} (printed on the report\'s first page).',
      'msg.opened.some': '{n} report(s) opened; {bad} file(s) could not be read — the reasons are in the list on the left.',
      'msg.opening': 'Reading {done}/{n} …',
      'msg.downloaded': 'Downloaded {file}.',
      'msg.renderfail': 'Could not make the file: {e}',
      'msg.checkfail': 'Check failed: {e}',
      'msg.openfail': 'Could not read: {e}',
      'msg.restored': 'Restored the {n} report(s) open last time.',
      'msg.nothing': 'No report to download.',
      'msg.undo.none': 'Nothing to undo.',
      'msg.undone': 'Undone: {what}',
      'msg.close': 'Dismiss',
      'msg.preview.fail': 'This browser cannot show the PDF in the page; use “Download this PDF”.',
      'what.cell': 'cell {label}',
      'what.text': 'text change',
      'what.struct': 'added paragraph',
      'new.name': '新报告',
      'err.status': 'the server answered with an error ({status})',
      'pre.empty': 'The file is empty (0 bytes).',
      'pre.doc': 'This is an old Word / WPS file (.doc/.wps/.rtf) and cannot be read. Save it as a Word document (.docx) in Word or WPS, then open that.',
      'pre.ofd': 'This is an OFD file and cannot be read. Use the Word, PDF or web page version from the publishing site.',
      'pre.sheet': 'This is a spreadsheet, not the report itself. Open the Word, PDF, web page or text version of the report.',
      'pre.image': 'This is an image (a scan); the text in it cannot be read. Use a text version of the report (Word, text PDF or web page).',
      'pre.zip': 'This is an archive; unpack it first, then drop the report files (or the whole folder) here.',
      'unknown': 'unknown',
    },
  };

  const STATE_MARK = {
    printed: '', repaired: '修', inferred: '推', by_position: '位', edited: '改',
    unresolved: '※', rule: '▲', blank: '',
  };
  const STATES = ['printed', 'repaired', 'inferred', 'by_position', 'edited', 'unresolved', 'rule', 'blank'];
  const STATUS_ICON = { pass: '✓', repaired: '✎', errors: '✗', unreadable: '⊘', '': '' };
  const REPORT_EXT = ['txt', 'text', 'md', 'markdown', 'html', 'htm', 'xhtml', 'docx', 'pdf', 'json'];
  const LS_PREFIX = 'nianbao:';
  const FOLDER_EXPLAINED = ['doc', 'wps', 'rtf', 'ofd'];
  // A re-check is sent at once (the server answers in a few ms); while one is in flight,
  // further edits wait for it and are sent together when it returns.
  const CHECK_DELAY = 0;
  const SAVE_DELAY = 300;

  let lang = 'zh';
  try { lang = localStorage.getItem(LS_PREFIX + 'lang') === 'en' ? 'en' : 'zh'; } catch (_) { /* ignore */ }

  function t(key, params) {
    let s = I18N[lang][key];
    if (s === undefined) s = I18N.zh[key];
    if (s === undefined) s = key;
    if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
    return s;
  }

  // ------------------------------------------------------------------ helpers
  const $ = (sel, root = document) => root.querySelector(sel);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = v;
        else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
        else if (k === 'dataset') Object.assign(node.dataset, v);
        else node.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  const now = () => performance.now();

  function stemOf(name) {
    const i = name.lastIndexOf('.');
    return i > 0 ? name.slice(0, i) : name;
  }
  function extOf(name) {
    const i = name.lastIndexOf('.');
    return i > 0 ? name.slice(i + 1).toLowerCase() : '';
  }
  function fmtNumber(v) {
    if (v === null || v === undefined) return '';
    if (typeof v !== 'number') return String(v);
    if (Number.isInteger(v)) return String(v);
    return String(Math.round(v * 1e6) / 1e6);
  }

  // ------------------------------------------------------------------ state
  /**
   * One open report:
   * {id, name, relPath, status: pass|repaired|errors|unreadable|opening, error, errorKind,
   *  report, edited: Set, source, doc, undo: [], counts, attention, timer, checkSeq, editAt,
   *  checking, saveTimer, sourceDropped}
   */
  const S = {
    reports: [],
    currentId: null,
    sort: 'attention',
    info: null,
    nextId: 1,
    openUndo: null,       // the undo entry the focused field is adding to
    inflight: 0,
    openingJobs: 0,
    pendingOpenT0: null,  // time the user picked files; cleared once the first is drawn
    cellEls: new Map(),   // path -> td (current report)
    cellInfo: new Map(),  // path -> {label, cell}
    grids: new Map(),     // table key -> {grid, t}
    tipFor: null,
  };

  function current() { return S.reports.find((r) => r.id === S.currentId) || null; }
  function byId(id) { return S.reports.find((r) => r.id === id) || null; }

  // ------------------------------------------------------------------ the test hook
  window.nianbao = {
    get busy() {
      return S.inflight > 0 || S.openingJobs > 0 || S.reports.some((r) => r.timer !== null && r.timer !== undefined);
    },
    lastOpenMs: null,
    lastCheckMs: null,
    current() { const e = current(); return e && e.report ? clone(e.report) : null; },
  };

  // ------------------------------------------------------------------ messages
  const msgBox = $('#message');
  let msgTimer = null;
  /** A message from the dictionary: shown again in the other language when it is switched. */
  function say(key, params, kind = 'info', sticky = false) {
    sayFn(() => t(key, params), kind, sticky);
    S.msg.key = key;
  }
  /** A message built by `fn` from the dictionary, built again when the language changes. */
  function sayFn(fn, kind = 'info', sticky = false) {
    showMessage(fn(), kind, sticky);
    S.msg = { fn, kind, sticky };
  }
  function showMessage(text, kind = 'info', sticky = false) {
    S.msg = null;
    clearTimeout(msgTimer);
    msgBox.textContent = '';
    msgBox.dataset.kind = kind;
    msgBox.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    const icon = kind === 'error' ? '✗ ' : kind === 'warn' ? '! ' : 'ℹ ';
    msgBox.append(
      el('span', { class: 'msg-icon', 'aria-hidden': 'true' }, icon),
      el('span', { class: 'msg-text' }, text),
      el('button', { type: 'button', class: 'msg-close', 'aria-label': t('msg.close'), onclick: clearMessage }, '×'),
    );
    msgBox.classList.add('show');
    if (!sticky && kind === 'info') msgTimer = setTimeout(clearMessage, 6000);
  }
  /** The server's budget refusals of a report (its JSON limits) in words a clerk reads. */
  function friendly(msg) {
    const m = String(msg || '');
    let r = /at (title|organization): (\d+) characters; the limit is (\d+)/.exec(m);
    if (r) return t('err.toolong', { field: t('field.' + r[1]), n: r[2], max: r[3] });
    r = /at sections: (\d+ (?:blocks|sections|characters of text); the limit is \d+)/.exec(m);
    if (r) return t('err.toomuch', { what: r[1] });
    return m;
  }
  function showError(err, key) {
    if (err && err.kind === 'unreachable') say('msg.unreachable', null, 'error', true);
    else { const m = friendly(err && err.message ? err.message : String(err)); showMessage(key && m === String(err && err.message) ? t(key, { e: m }) : m, 'error', true); }
  }
  function clearMessage() {
    clearTimeout(msgTimer);
    msgBox.classList.remove('show');
    msgBox.textContent = '';
    delete msgBox.dataset.kind;
  }

  // ------------------------------------------------------------------ server
  class ApiError extends Error {
    constructor(message, kind, status) { super(message); this.kind = kind; this.status = status; }
  }

  /** A request to the server. `body`: an ArrayBuffer (sent as bytes) or an object (JSON).
   *  Answers the parsed JSON, or with `blob: true` {blob, filename} on success. */
  async function api(method, url, body, { blob = false } = {}) {
    S.inflight++;
    updateBusyMark();
    try {
      const opts = { method, headers: {}, cache: 'no-store', credentials: 'same-origin' };
      if (body !== undefined) {
        if (body instanceof ArrayBuffer) {
          opts.headers['Content-Type'] = 'application/octet-stream';
          opts.body = body;
        } else {
          opts.headers['Content-Type'] = 'application/json';
          opts.body = JSON.stringify(body);
        }
      }
      let res;
      try {
        res = await fetch(url, opts);
      } catch (_) {
        throw new ApiError(t('msg.unreachable'), 'unreachable', 0);
      }
      const type = (res.headers.get('Content-Type') || '').toLowerCase();
      if (blob && res.ok && !type.startsWith('application/json')) {
        const data = await res.blob();
        return { blob: data, filename: filenameFrom(res.headers.get('Content-Disposition')), type };
      }
      if (blob && res.ok && type.startsWith('application/json') && /format=json/.test(url)) {
        // the JSON rendering itself is JSON: still a download
        const data = await res.blob();
        return { blob: data, filename: filenameFrom(res.headers.get('Content-Disposition')), type };
      }
      let json = null;
      try { json = await res.json(); } catch (_) { json = null; }
      if (!res.ok) {
        const msg = (json && json.error) || t('err.status', { status: res.status });
        throw new ApiError(msg, (json && json.error_kind) || 'http', res.status);
      }
      if (json === null) throw new ApiError(t('err.status', { status: res.status }), 'http', res.status);
      return json;
    } finally {
      S.inflight--;
      updateBusyMark();
    }
  }

  function filenameFrom(disposition) {
    if (!disposition) return null;
    const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
    if (star) { try { return decodeURIComponent(star[1].trim()); } catch (_) { /* fall through */ } }
    const plain = /filename\s*=\s*"([^"]*)"/i.exec(disposition);
    return plain ? plain[1] : null;
  }

  function updateBusyMark() {
    document.documentElement.dataset.busy = window.nianbao.busy ? 'true' : 'false';
  }

  // ------------------------------------------------------------------ persistence (localStorage)
  let storageWarned = false;
  function lsSet(key, value) {
    localStorage.setItem(LS_PREFIX + key, value);
  }
  function isQuota(err) {
    return err && (err.name === 'QuotaExceededError' || err.name === 'NS_ERROR_DOM_QUOTA_REACHED' || err.code === 22 || err.code === 1014);
  }

  function saveIndex() {
    const index = {
      ids: S.reports.filter((r) => r.status !== 'opening').map((r) => r.id),
      current: S.currentId,
      sort: S.sort,
      nextId: S.nextId,
    };
    try {
      lsSet('index', JSON.stringify(index));
    } catch (err) {
      storageFailed(err);
    }
  }

  function storageFailed(err) {
    if (!storageWarned) {
      storageWarned = true;
      showMessage(isQuota(err) ? t('msg.quota') : `${t('msg.quota')} (${err && err.message})`, 'error', true);
    }
  }

  function saveEntryNow(e) {
    clearTimeout(e.saveTimer);
    e.saveTimer = null;
    if (e.status === 'opening' || !byId(e.id)) return;
    const base = {
      id: e.id, name: e.name, relPath: e.relPath || null, fileKey: e.fileKey || null,
      status: e.status, error: e.error || null, errorKind: e.errorKind || null,
      report: e.report || null, edited: [...(e.edited || [])],
      counts: e.counts || null, attention: e.attention || 0,
      undo: e.undo ? e.undo.slice(-50) : [],
      isNew: !!e.isNew,
      lines: e.lines || {},
    };
    const withSource = Object.assign({}, base, { source: e.source || null });
    try {
      lsSet('r:' + e.id, JSON.stringify(withSource));
      e.sourceDropped = false;
      storageWarned = false;
      return;
    } catch (err) {
      if (!isQuota(err)) { storageFailed(err); return; }
    }
    try {
      // keep the working copy at least: without the source, then without the undo history
      lsSet('r:' + e.id, JSON.stringify(Object.assign(base, { source: null, sourceDropped: true })));
      if (!e.sourceDropped) say('msg.quota.nosource', { name: e.name }, 'warn', true);
      e.sourceDropped = true;
    } catch (err) {
      try {
        lsSet('r:' + e.id, JSON.stringify(Object.assign(base, { source: null, sourceDropped: true, undo: [] })));
      } catch (err2) {
        storageFailed(err2);
      }
    }
  }
  function scheduleSave(e) {
    clearTimeout(e.saveTimer);
    e.saveTimer = setTimeout(() => saveEntryNow(e), SAVE_DELAY);
  }
  function flushSaves() {
    for (const e of S.reports) if (e.saveTimer) saveEntryNow(e);
    saveIndex();
  }
  function removeSaved(e) {
    try { localStorage.removeItem(LS_PREFIX + 'r:' + e.id); } catch (_) { /* ignore */ }
  }

  function restore() {
    let index = null;
    try { index = JSON.parse(localStorage.getItem(LS_PREFIX + 'index') || 'null'); } catch (_) { index = null; }
    if (!index || !Array.isArray(index.ids)) return 0;
    S.sort = index.sort === 'name' ? 'name' : 'attention';
    S.nextId = Math.max(1, Number(index.nextId) || 1);
    for (const id of index.ids) {
      let data = null;
      try { data = JSON.parse(localStorage.getItem(LS_PREFIX + 'r:' + id) || 'null'); } catch (_) { data = null; }
      if (!data || typeof data.name !== 'string') continue;
      const e = newEntry(data.name, data.relPath);
      e.id = Number(id);
      S.nextId = Math.max(S.nextId, e.id + 1);
      e.status = data.status || 'errors';
      e.error = data.error || null;
      e.errorKind = data.errorKind || null;
      e.report = data.report || null;
      e.edited = new Set(Array.isArray(data.edited) ? data.edited : []);
      e.source = Array.isArray(data.source) ? data.source : null;
      e.sourceDropped = !!data.sourceDropped;
      e.counts = data.counts || null;
      e.attention = data.attention || 0;
      e.undo = Array.isArray(data.undo) ? data.undo : [];
      e.isNew = !!data.isNew;
      e.lines = data.lines && typeof data.lines === 'object' ? data.lines : {};
      e.fileKey = typeof data.fileKey === 'string' ? data.fileKey : null;
      if (e.report) e.status = e.status === 'unreadable' ? 'errors' : e.status;
      else if (e.status !== 'unreadable') continue;
      S.reports.push(e);
    }
    // working copies no index names any more (a save that half failed): let them go
    try {
      const keep = new Set(S.reports.map((r) => LS_PREFIX + 'r:' + r.id));
      for (let i = localStorage.length - 1; i >= 0; i--) {
        const k = localStorage.key(i);
        if (k && k.startsWith(LS_PREFIX + 'r:') && !keep.has(k)) localStorage.removeItem(k);
      }
    } catch (_) { /* ignore */ }
    if (S.reports.some((r) => r.id === index.current)) S.currentId = index.current;
    else if (S.reports.length) S.currentId = sortedReports()[0].id;
    return S.reports.length;
  }

  // ------------------------------------------------------------------ entries
  function newEntry(name, relPath) {
    return {
      id: S.nextId++, name, relPath: relPath || null, status: 'opening', error: null, errorKind: null,
      report: null, edited: new Set(), source: null, doc: null, undo: [], counts: null, attention: 0,
      timer: null, checkSeq: 0, editAt: 0, checking: false, saveTimer: null, sourceDropped: false,
    };
  }

  function applyDoc(e, doc, { fromOpen = false } = {}) {
    if (fromOpen) {
      e.report = doc.report;
      e.source = Array.isArray(doc.source) ? doc.source : null;
      e.lines = {};
    }
    // the source line of each cell as the reading gave it (a re-check does not know it)
    if (!e.lines) e.lines = {};
    for (const tb of doc.tables || []) {
      for (const c of tb.cells || []) if (c.path && c.line) e.lines[c.path] = c.line;
    }
    doc.source = null;
    e.doc = doc;
    e.status = (doc.status && doc.status.code) || 'errors';
    e.counts = doc.counts || null;
    e.attention = Number(doc.attention) || 0;
  }

  function uniqueName(name) {
    if (!S.reports.some((r) => r.name === name)) return name;
    for (let n = 2; ; n++) {
      const c = `${name}（${n}）`;
      if (!S.reports.some((r) => r.name === c)) return c;
    }
  }

  // ------------------------------------------------------------------ opening files
  async function openFiles(items, t0) {
    // items: [{file, relPath}]
    if (!storageWarned) clearMessage();
    const skipped = items.skipped || 0;
    if (!items.length) { say(skipped ? 'msg.skipped' : 'msg.nofiles', { n: skipped }, 'warn'); return; }
    const maxMb = (S.info && S.info.max_input_mb) || 0;
    S.pendingOpenT0 = t0;
    const jobs = [];
    let firstSelected = false;
    for (const it of items) {
      const e = newEntry(it.file.name, it.relPath);
      // the same file (name, folder, size and time) is known again; departments' reports
      // often share one name (年报.pdf), and another folder's must not replace this one
      e.fileKey = `${it.relPath || it.file.name}|${it.file.size}|${it.file.lastModified}`;
      // A file opened again that nobody has edited: replace it.
      const same = S.reports.find((r) => r.name === e.name && r.fileKey === e.fileKey && (r.status === 'unreadable' || (r.edited.size === 0 && r.undo.length === 0)) && r.status !== 'opening');
      if (same) discard(same, { silent: true });
      S.reports.push(e);
      jobs.push({ e, file: it.file });
    }
    drawList();
    let done = 0;
    let opened = 0;
    const errors = [];
    const queue = jobs.slice();
    S.openingJobs += jobs.length;
    updateBusyMark();
    const worker = async () => {
      while (queue.length) {
        const { e, file } = queue.shift();
        try {
          const pre = preflight(file);
          if (pre) {
            e.status = 'unreadable'; e.error = pre; e.errorKind = 'unusable';
          } else if (maxMb && file.size > maxMb * 1048576) {
            const msg = t('msg.toobig', { name: file.name, size: (file.size / 1048576).toFixed(1), max: maxMb });
            e.status = 'unreadable'; e.error = msg; e.errorKind = 'limit';
            errors.push(msg);
          } else {
            const bytes = await file.arrayBuffer();
            const answer = await api('POST', '/api/open?name=' + encodeURIComponent(uploadName(file.name)), bytes);
            if (answer.ok && answer.doc) {
              applyDoc(e, answer.doc, { fromOpen: true });
              opened++;
            } else {
              e.status = 'unreadable';
              e.error = answer.error || t('unknown');
              e.errorKind = answer.error_kind || null;
            }
          }
        } catch (err) {
          e.status = 'unreadable';
          e.error = err.message || String(err);
          e.errorKind = err.kind || 'io';
          if (err.kind === 'unreachable' || err.status === 413) errors.push(err.message);
        } finally {
          S.openingJobs--;
          done++;
        }
        if (!byId(e.id)) continue; // closed while reading
        saveEntryNow(e);
        if (!firstSelected) {
          firstSelected = true;
          select(e.id, { fromOpen: true });
        } else {
          drawList();
        }
        if (jobs.length > 1 && done < jobs.length) say('msg.opening', { done, n: jobs.length }, 'info', true);
        updateBusyMark();
      }
    };
    await Promise.all([worker(), worker()]);
    saveIndex();
    const tail = () => (skipped ? ' ' + t('msg.skipped', { n: skipped }) : '');
    const tally = () => {
      if (jobs.length < 2) return '';
      const n = { pass: 0, repaired: 0, errors: 0 };
      for (const j of jobs) if (n[j.e.status] !== undefined) n[j.e.status]++;
      return ' ' + t('msg.tally', n);
    };
    if (errors.length) showMessage([...new Set(errors)].join('\n') + tail(), 'error', true);
    else if (jobs.length > 1 && opened < jobs.length) sayFn(() => t('msg.opened.some', { n: opened, bad: jobs.length - opened }) + tally() + tail(), 'warn', true);
    else if (jobs.length > 1 || skipped) sayFn(() => t('msg.opened', { n: opened }) + tally() + tail(), skipped ? 'warn' : 'info', jobs.length > 1 || !!skipped);
    else if (msgBox.dataset.kind === 'info') clearMessage();
    updateBusyMark();
  }

  /** The name sent with the bytes: the server writes the upload to a temporary file of that
   *  name, and a file system takes at most 255 bytes (85 Chinese characters) — a long name
   *  would fail as "File name too long". Cut the stem, keep the extension (it picks the reader). */
  function uploadName(name) {
    const enc = new TextEncoder();
    if (enc.encode(name).length <= 150) return name;
    const ext = extOf(name);
    let stem = ext ? name.slice(0, -(ext.length + 1)) : name;
    const chars = [...stem];
    while (chars.length && enc.encode(chars.join('') + '.' + ext).length > 150) chars.pop();
    stem = chars.join('');
    return ext ? `${stem}.${ext}` : stem;
  }

  /** A reason not to send the file at all, for formats nianbao cannot read and a clerk may
   *  well have (old Word, WPS, OFD, spreadsheets, scans). */
  function preflight(file) {
    const ext = extOf(file.name);
    if (file.size === 0) return t('pre.empty');
    if (ext === 'doc' || ext === 'wps' || ext === 'rtf') return t('pre.doc');
    if (ext === 'ofd') return t('pre.ofd');
    if (['xls', 'xlsx', 'et', 'csv'].includes(ext)) return t('pre.sheet');
    if (['jpg', 'jpeg', 'png', 'gif', 'bmp', 'tif', 'tiff', 'webp', 'heic'].includes(ext)) return t('pre.image');
    if (['zip', 'rar', '7z'].includes(ext)) return t('pre.zip');
    return null;
  }

  function filesFromList(fileList, { folder = false } = {}) {
    const out = [];
    let skipped = 0;
    for (const f of fileList) {
      const rel = f.webkitRelativePath || '';
      if (folder || rel) {
        const base = f.name;
        // old Word / WPS / OFD files are listed with the reason (and how to convert them):
        // a clerk's folder of .doc reports must not vanish as "skipped"
        if (base.startsWith('.') || !(REPORT_EXT.includes(extOf(base)) || FOLDER_EXPLAINED.includes(extOf(base)))) { skipped++; continue; }
      }
      out.push({ file: f, relPath: rel || null });
    }
    out.skipped = skipped;
    return out;
  }

  async function filesFromDrop(dt) {
    const items = dt.items ? [...dt.items] : [];
    const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
    if (!entries.length || entries.some((x) => x === null)) {
      return filesFromList(dt.files || []);
    }
    const out = [];
    let skipped = 0;
    const fileOf = (entry) => new Promise((res) => entry.file(res, () => res(null)));
    const readAll = (dir) => new Promise((res) => {
      const reader = dir.createReader();
      const all = [];
      const step = () => reader.readEntries((batch) => {
        if (!batch.length) { res(all); return; }
        all.push(...batch);
        step();
      }, () => res(all));
      step();
    });
    const walk = async (entry, inFolder) => {
      if (entry.isFile) {
        if (inFolder && (entry.name.startsWith('.') || !(REPORT_EXT.includes(extOf(entry.name)) || FOLDER_EXPLAINED.includes(extOf(entry.name))))) { skipped++; return; }
        const f = await fileOf(entry);
        if (f) out.push({ file: f, relPath: inFolder ? entry.fullPath.replace(/^\//, '') : null });
      } else if (entry.isDirectory) {
        for (const child of await readAll(entry)) await walk(child, true);
      }
    };
    for (const entry of entries) await walk(entry, false);
    out.skipped = skipped;
    return out;
  }

  async function newReport(form) {
    const t0 = now();
    if (!storageWarned) clearMessage();
    try {
      const answer = await api('GET', '/api/new?form=' + encodeURIComponent(form));
      if (!answer.ok || !answer.doc) throw new ApiError(answer.error || t('unknown'));
      const e = newEntry(uniqueName(answer.name || t('new.name')));
      e.isNew = true;
      applyDoc(e, answer.doc, { fromOpen: true });
      S.reports.push(e);
      saveEntryNow(e);
      S.pendingOpenT0 = t0;
      select(e.id, { fromOpen: true });
      saveIndex();
      const title = $('#doc [data-target="title"]');
      if (title) title.focus();
    } catch (err) {
      showError(err);
    }
  }

  // ------------------------------------------------------------------ selecting / closing
  function select(id, { fromOpen = false } = {}) {
    if (S.currentId !== id) S.openUndo = null;
    S.currentId = id;
    saveIndex();
    const e = current();
    if (e && !e.doc && e.report && e.status !== 'unreadable') runCheck(e);
    drawAll();
    if (fromOpen && S.pendingOpenT0 !== null && e && (e.doc || e.status === 'unreadable')) {
      window.nianbao.lastOpenMs = Math.round(now() - S.pendingOpenT0);
      S.pendingOpenT0 = null;
    }
  }

  function discard(e, { silent = false } = {}) {
    clearTimeout(e.timer); e.timer = null;
    clearTimeout(e.saveTimer); e.saveTimer = null;
    const idx = S.reports.indexOf(e);
    if (idx < 0) return;
    S.reports.splice(idx, 1);
    removeSaved(e);
    if (S.currentId === e.id) {
      const next = sortedReports()[0];
      S.currentId = next ? next.id : null;
    }
    saveIndex();
    if (!silent) drawAll();
    updateBusyMark();
  }

  // ------------------------------------------------------------------ report paths
  function cellGet(report, path) {
    const parts = path.split('.');
    let o = report && report.tables;
    for (const p of parts) { if (o === null || typeof o !== 'object') return { value: null, na: false }; o = o[p]; }
    const na = Array.isArray(report.not_applicable) && report.not_applicable.includes(path);
    return { value: typeof o === 'number' ? o : null, na };
  }
  function cellSet(report, path, { value, na }) {
    const parts = path.split('.');
    if (!report.tables || typeof report.tables !== 'object') report.tables = {};
    let o = report.tables;
    for (const p of parts.slice(0, -1)) {
      if (o[p] === null || typeof o[p] !== 'object') o[p] = {};
      o = o[p];
    }
    o[parts[parts.length - 1]] = na ? null : value;
    const list = Array.isArray(report.not_applicable) ? report.not_applicable.filter((x) => x !== path) : [];
    if (na) list.push(path);
    report.not_applicable = list;
  }
  function cellText({ value, na }) { return na ? '/' : fmtNumber(value); }

  /** Parses what the user typed: {value, na} or null when it is not a number. */
  function parseCell(text) {
    let s = String(text).replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
      .replace(/[．。]/g, '.').replace(/[－−—–]/g, '-').replace(/[／]/g, '/').replace(/[,，\s]/g, '');
    if (s === '') return { value: null, na: false };
    if (s === '/' || s === '-' || s === '--' || s === '\\') return { value: null, na: true };
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return { value: Number(s), na: false };
    return null;
  }

  // text targets: title, organization, year, s:i:h (section heading), s:i:b:j (block text)
  function textGet(report, target) {
    if (target === 'title' || target === 'organization') return report[target] || '';
    if (target === 'year') return report.year === null || report.year === undefined ? '' : String(report.year);
    const m = /^s:(\d+):(?:h|b:(\d+))$/.exec(target);
    if (!m) return '';
    const sec = report.sections && report.sections[+m[1]];
    if (!sec) return '';
    if (m[2] === undefined) return sec.heading || '';
    const b = sec.blocks && sec.blocks[+m[2]];
    return (b && b.text) || '';
  }
  function textSet(report, target, text) {
    if (target === 'title' || target === 'organization') { report[target] = text.trim() === '' ? null : text; return; }
    if (target === 'year') {
      const s = text.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0)).trim();
      report.year = /^\d{4}$/.test(s) ? Number(s) : null;
      return;
    }
    const m = /^s:(\d+):(?:h|b:(\d+))$/.exec(target);
    if (!m) return;
    const sec = report.sections[+m[1]];
    if (m[2] === undefined) { sec.heading = text.trim() === '' ? null : text; return; }
    sec.blocks[+m[2]].text = text;
  }
  function editedKey(target) {
    if (target === 'title' || target === 'organization' || target === 'year') return target;
    return 'sections';
  }

  // ------------------------------------------------------------------ editing, undo, checks
  function recordUndo(e, target, before) {
    const open = S.openUndo;
    if (open && open.rid === e.id && open.target === target && e.undo[e.undo.length - 1] === open) return;
    const u = { rid: e.id, target, before, editedBefore: [...e.edited] };
    e.undo.push(u);
    if (e.undo.length > 300) e.undo.shift();
    S.openUndo = u;
    updateUndoButton();
  }

  function onCellInput(input, t0) {
    const e = current();
    if (!e || !e.report) return;
    const td = input.closest('td');
    const path = td.dataset.path;
    const parsed = parseCell(input.value);
    // the server takes no figure beyond 10^12 (and would refuse every check after it)
    const tooBig = parsed && parsed.value !== null && Math.abs(parsed.value) > 1e12;
    if (!parsed || tooBig) {
      input.setAttribute('aria-invalid', 'true');
      td.classList.add('invalid');
      showDetail(td, t(tooBig ? 'cell.toobig' : 'cell.invalid', { v: input.value }));
      return;
    }
    if (td.classList.contains('invalid')) {
      input.removeAttribute('aria-invalid');
      td.classList.remove('invalid');
      showDetail(td);
    }
    const before = cellGet(e.report, path);
    if (before.value === parsed.value && before.na === parsed.na) return;
    recordUndo(e, 'cell:' + path, before);
    cellSet(e.report, path, parsed);
    e.edited.add(path);
    td.dataset.state = 'edited';
    setMark(td, 'edited', '');
    scheduleCheck(e, t0);
    if (S.detailFor === td) showDetail(td);
  }

  function onTextInput(node, t0) {
    const e = current();
    if (!e || !e.report) return;
    const target = node.dataset.target;
    const text = readText(node);
    const before = textGet(e.report, target);
    if (before === text) return;
    recordUndo(e, target, before);
    textSet(e.report, target, text);
    e.edited.add(editedKey(target));
    node.classList.add('text-edited');
    scheduleCheck(e, t0);
  }

  function readText(node) {
    if (node.tagName === 'INPUT' || node.tagName === 'TEXTAREA') return node.value;
    return (node.innerText || '').replace(/\n$/, '');
  }
  function writeText(node, text) {
    if (node.tagName === 'INPUT' || node.tagName === 'TEXTAREA') node.value = text;
    else node.textContent = text;
  }

  function scheduleCheck(e, t0 = now()) {
    e.editAt = t0;
    clearTimeout(e.timer);
    if (e.checking) e.again = true;
    else e.timer = setTimeout(() => { e.timer = null; runCheck(e); }, CHECK_DELAY);
    updateBusyMark();
    updateUndoButton();
    scheduleSave(e);
    markListItem(e);
  }

  async function runCheck(e) {
    if (!e.report) return;
    const seq = ++e.checkSeq;
    const t0 = e.editAt;
    e.checking = true;
    try {
      const answer = await api('POST', '/api/check', { report: e.report, edited: [...e.edited] });
      if (seq !== e.checkSeq || !byId(e.id)) return;
      if (!answer.ok || !answer.doc) { showMessage(t('msg.checkfail', { e: friendly(answer.error) || t('unknown') }), 'error', true); return; }
      applyDoc(e, answer.doc);
      if (e.id === S.currentId) {
        if (S.cellEls.size && S.drawnId === e.id) { updateStates(e); drawSummary(e); } else drawAll();
      }
      drawList();
      if (t0) { window.nianbao.lastCheckMs = Math.round(now() - t0); e.editAt = 0; }
      if (S.msg && S.msg.key === 'msg.unreachable') clearMessage();
      scheduleSave(e);
    } catch (err) {
      if (seq === e.checkSeq) showError(err, 'msg.checkfail');
    } finally {
      if (seq === e.checkSeq) e.checking = false;
      if (e.again && !e.checking) { e.again = false; runCheck(e); }
      updateBusyMark();
      if (S.pendingOpenT0 !== null && e.id === S.currentId && e.doc) {
        window.nianbao.lastOpenMs = Math.round(now() - S.pendingOpenT0);
        S.pendingOpenT0 = null;
      }
    }
  }

  function undo() {
    const e = current();
    if (!e || !e.undo.length) { say('msg.undo.none', null, 'info'); return; }
    const u = e.undo.pop();
    S.openUndo = null;
    let what = t('what.text');
    let focusNode = null;
    if (u.target.startsWith('cell:')) {
      const path = u.target.slice(5);
      cellSet(e.report, path, u.before);
      const td = S.cellEls.get(path);
      what = t('what.cell', { label: (S.cellInfo.get(path) || {}).label || path });
      if (td) {
        const input = td.querySelector('input');
        input.value = cellText(u.before);
        input.removeAttribute('aria-invalid');
        td.classList.remove('invalid');
        focusNode = input;
      }
    } else if (u.target === 'struct') {
      e.report.sections = clone(u.before);
      what = t('what.struct');
      e.edited = new Set(u.editedBefore);
      drawDoc(e);
    } else {
      textSet(e.report, u.target, u.before);
      const node = document.querySelector(`#doc [data-target="${u.target}"]`);
      if (node) { writeText(node, u.before); focusNode = node; }
    }
    e.edited = new Set(u.editedBefore);
    if (focusNode && document.activeElement !== focusNode) {
      focusNode.focus({ preventScroll: false });
      S.openUndo = null;
    }
    if (focusNode) {
      focusNode.classList.add('flash');
      setTimeout(() => focusNode.classList.remove('flash'), 900);
    }
    scheduleCheck(e);
    say('msg.undone', { what }, 'info');
  }

  function updateUndoButton() {
    const e = current();
    $('#undo').disabled = !(e && e.undo && e.undo.length);
  }

  function addParagraph(e, si) {
    const before = clone(e.report.sections);
    e.undo.push({ rid: e.id, target: 'struct', before, editedBefore: [...e.edited] });
    S.openUndo = null;
    const sec = e.report.sections[si];
    sec.blocks = sec.blocks || [];
    sec.blocks.push({ type: 'paragraph', text: '' });
    e.edited.add('sections');
    drawDoc(e);
    const nodes = document.querySelectorAll(`#doc [data-target^="s:${si}:b:"]`);
    if (nodes.length) nodes[nodes.length - 1].focus();
    scheduleCheck(e);
  }

  // ------------------------------------------------------------------ drawing: list
  function sortedReports() {
    const list = S.reports.slice();
    const coll = new Intl.Collator(lang === 'zh' ? 'zh-CN' : 'en', { numeric: true });
    if (S.sort === 'name') {
      list.sort((a, b) => coll.compare(a.relPath || a.name, b.relPath || b.name) || a.id - b.id);
    } else {
      const weight = (r) => (r.status === 'unreadable' ? Number.MAX_SAFE_INTEGER : r.status === 'opening' ? -1 : r.attention || 0);
      list.sort((a, b) => weight(b) - weight(a) || coll.compare(a.name, b.name) || a.id - b.id);
    }
    return list;
  }

  const listEl = $('#reports');
  const itemEls = new Map();

  function statusLabel(code) { return code ? t('status.' + code) : ''; }

  function drawList() {
    const list = sortedReports();
    $('#list-count').textContent = list.length ? t('list.count', { n: list.length }) : '';
    const alive = new Set(list.map((r) => r.id));
    for (const [id, li] of itemEls) if (!alive.has(id)) { li.remove(); itemEls.delete(id); }
    let prev = null;
    for (const r of list) {
      let li = itemEls.get(r.id);
      if (!li) { li = buildItem(r); itemEls.set(r.id, li); }
      fillItem(li, r);
      const expected = prev ? prev.nextSibling : listEl.firstChild;
      if (expected !== li) listEl.insertBefore(li, expected);
      prev = li;
    }
    $('#dl-zip').disabled = !S.reports.some((r) => r.report && r.status !== 'unreadable');
    document.body.classList.toggle('empty', S.reports.length === 0);
  }

  function buildItem(r) {
    const li = el('li', { class: 'report-item' });
    li.dataset.id = String(r.id);
    const pick = el('button', { type: 'button', class: 'pick' },
      el('span', { class: 'nm' }),
      el('span', { class: 'sub' }),
      el('span', { class: 'st' }),
      el('span', { class: 'counts' }));
    const close = el('button', { type: 'button', class: 'close' });
    li.append(pick, close);
    return li;
  }

  function fillItem(li, r) {
    li.dataset.name = r.name;
    const status = r.status === 'opening' ? '' : r.status;
    li.dataset.status = status;
    li.classList.toggle('current', r.id === S.currentId);
    const pick = li.querySelector('.pick');
    if (r.id === S.currentId) pick.setAttribute('aria-current', 'true'); else pick.removeAttribute('aria-current');
    li.querySelector('.nm').textContent = r.name;
    const sub = li.querySelector('.sub');
    const dir = r.relPath ? r.relPath.replace(/[\\/][^\\/]*$/, '') : '';
    sub.textContent = dir && dir !== r.relPath ? dir + '/' : '';
    // two files of one name picked from different places: tell them apart by their issuer
    if (!sub.textContent && r.report && r.report.organization && S.reports.some((o) => o !== r && o.name === r.name)) {
      sub.textContent = String(r.report.organization).slice(0, 40);
    }
    sub.hidden = !sub.textContent;
    const st = li.querySelector('.st');
    st.textContent = r.status === 'opening' ? t('list.opening')
      : `${STATUS_ICON[status] || ''} ${statusLabel(status)}${r.edited && r.edited.size ? ' · ' + t('list.edited') : ''}`;
    const counts = li.querySelector('.counts');
    counts.textContent = '';
    if (r.counts && r.status !== 'unreadable') {
      const c = r.counts;
      const chips = [
        ['inferred', c.inferred, 'count.inferred'],
        ['unresolved', c.unresolved, 'count.unresolved'],
        ['rules', c.rules_failing, 'count.rules'],
      ];
      for (const [k, n, key] of chips) {
        counts.append(el('span', { class: 'chip chip-' + k + (n ? ' nz' : ''), title: t(key + '.title') }, t(key, { n: n || 0 })));
      }
    }
    let err = li.querySelector('.error');
    if (r.status === 'unreadable') {
      if (!err) { err = el('div', { class: 'error' }); li.insertBefore(err, li.querySelector('.close')); }
      err.textContent = r.error || t('unknown');
    } else if (err) err.remove();
    const close = li.querySelector('.close');
    if (close.dataset.confirm !== 'true') {
      close.textContent = t('list.close');
      close.setAttribute('aria-label', t('list.close.label', { name: r.name }));
    }
  }

  function markListItem(e) {
    const li = itemEls.get(e.id);
    if (li) fillItem(li, e);
  }

  // ------------------------------------------------------------------ drawing: main view
  function drawAll() {
    drawList();
    const e = current();
    document.body.classList.toggle('empty', S.reports.length === 0);
    const docEl = $('#doc');
    hideTip();
    hideDetail();
    const ready = !!(e && e.report && e.doc && e.status !== 'unreadable');
    const hasSource = !!(e && e.source && e.source.length && e.status !== 'unreadable');
    document.body.classList.toggle('source-empty', !hasSource);
    $('#toggle-source').disabled = !hasSource;
    for (const id of ['#dl-pdf', '#dl-docx', '#dl-json', '#dl-csv', '#dl-md', '#preview-pdf']) $(id).disabled = !ready;
    updateUndoButton();
    if (!e) {
      S.cellEls.clear(); S.drawnId = null;
      docEl.textContent = '';
      drawSummary(null);
      drawSource(null);
      return;
    }
    if (e.status === 'unreadable') {
      S.cellEls.clear(); S.drawnId = null;
      docEl.textContent = '';
      docEl.append(el('div', { class: 'unreadable-box' },
        el('h2', null, `${STATUS_ICON.unreadable} ${e.name}`),
        el('p', { class: 'error-line' }, e.error || t('unknown')),
        el('p', null, t('summary.unreadable.advice'))));
      drawSummary(e);
      drawSource(null);
      return;
    }
    if (!e.doc) {
      S.cellEls.clear(); S.drawnId = null;
      docEl.textContent = '';
      docEl.append(el('p', { class: 'loading' }, e.status === 'opening' ? t('summary.loading') : t('list.checking')));
      drawSummary(e);
      drawSource(e);
      return;
    }
    drawDoc(e);
    drawSummary(e);
    drawSource(e);
  }

  function drawLegend() {
    const box = $('#legend');
    box.textContent = '';
    box.setAttribute('aria-label', t('legend.title'));
    const list = el('ul', { class: 'legend-list' });
    for (const s of ['printed', 'repaired', 'inferred', 'by_position', 'edited', 'unresolved', 'rule']) {
      list.append(el('li', { class: 'legend-item', 'data-state': s },
        el('span', { class: 'swatch', 'data-state': s, 'aria-hidden': 'true' }, STATE_MARK[s] || ''),
        el('span', { class: 'visually-hidden' }, STATE_MARK[s] ? STATE_MARK[s] + ' ' : t('mark.none') + ' '),
        el('span', null, t('legend.' + s))));
    }
    box.append(list, el('p', { class: 'legend-input' }, t('legend.input')));
  }

  function editable(tag, attrs, text, label, multiline = true) {
    const node = el(tag, Object.assign({
      class: 'editable', role: 'textbox', 'aria-label': label, tabindex: '0',
      'aria-multiline': multiline ? 'true' : 'false', 'data-placeholder': t('block.placeholder'),
      spellcheck: 'false',
    }, attrs));
    try { node.contentEditable = 'plaintext-only'; } catch (_) { node.contentEditable = 'true'; }
    if (node.contentEditable !== 'plaintext-only') node.contentEditable = 'true';
    node.textContent = text || '';
    return node;
  }

  function drawDoc(e) {
    const docEl = $('#doc');
    const scroll = S.drawnId === e.id ? $('#scroll').scrollTop : 0;
    docEl.textContent = '';
    S.cellEls.clear();
    S.cellInfo.clear();
    S.grids.clear();
    S.drawnId = e.id;
    const rep = e.report;
    const doc = e.doc;

    // metadata
    const meta = el('header', { class: 'meta' });
    meta.append(el('p', { class: 'form-version' }, t('meta.form', { v: rep.form || '?' })));
    const title = editable('h1', { class: 'editable doc-title', 'data-target': 'title', 'data-placeholder': t('meta.title.placeholder') }, rep.title || '', t('meta.title'), false);
    if (e.edited.has('title')) title.classList.add('text-edited');
    meta.append(title);
    const row = el('div', { class: 'meta-row' });
    const orgId = 'meta-org', yearId = 'meta-year';
    const org = el('input', { id: orgId, type: 'text', class: 'meta-input', 'data-target': 'organization', autocomplete: 'off' });
    org.value = rep.organization || '';
    const year = el('input', { id: yearId, type: 'text', inputmode: 'numeric', class: 'meta-input year', 'data-target': 'year', autocomplete: 'off', maxlength: '4' });
    year.value = rep.year === null || rep.year === undefined ? '' : String(rep.year);
    row.append(el('label', { for: orgId }, t('meta.organization')), org, el('label', { for: yearId }, t('meta.year')), year);
    meta.append(row);
    docEl.append(meta);

    // sections, tables where a section places them
    const tablesByKey = new Map((doc.tables || []).map((tb) => [tb.key, tb]));
    const placed = new Set();
    (rep.sections || []).forEach((sec, si) => {
      const sEl = el('section', { class: 'doc-section', 'data-key': sec.key || '' });
      if (sec.heading !== null && sec.heading !== undefined || sec.key) {
        sEl.append(editable('h2', { class: 'editable sec-heading', 'data-target': `s:${si}:h` }, sec.heading || '', t('section.heading'), false));
      }
      (sec.blocks || []).forEach((b, bi) => {
        if (b.type === 'table') {
          const tb = tablesByKey.get(b.table);
          if (tb && !placed.has(tb.key)) { sEl.append(drawTable(tb)); placed.add(tb.key); }
        } else if (b.type === 'heading') {
          const tag = (b.level || 2) <= 2 ? 'h3' : 'h4';
          sEl.append(editable(tag, { class: 'editable block-heading', 'data-target': `s:${si}:b:${bi}` }, b.text || '', t('block.heading'), false));
        } else {
          sEl.append(editable('p', { class: 'editable para', 'data-target': `s:${si}:b:${bi}` }, b.text || '', t('block.paragraph')));
        }
      });
      if (!(sec.blocks || []).some((b) => b.type === 'table')) {
        sEl.append(el('button', { type: 'button', class: 'add-para link', 'data-section': String(si) }, t('section.add')));
      }
      docEl.append(sEl);
    });
    const rest = (doc.tables || []).filter((tb) => !placed.has(tb.key));
    if (rest.length) {
      const sEl = el('section', { class: 'doc-section' });
      for (const tb of rest) {
        sEl.append(el('h2', { class: 'sec-heading static' }, tb.heading || t('section.tables')));
        sEl.append(drawTable(tb));
      }
      docEl.append(sEl);
    }
    $('#scroll').scrollTop = scroll;
  }

  /** The table as the printed grid; value cells get inputs. */
  function drawTable(tb) {
    const grid = [];
    for (let r = 0; r < tb.rows; r++) grid.push(new Array(tb.columns).fill(null));
    for (const c of tb.cells) {
      for (let r = c.row; r < Math.min(tb.rows, c.row + (c.rowspan || 1)); r++) {
        for (let k = c.col; k < Math.min(tb.columns, c.col + (c.colspan || 1)); k++) grid[r][k] = c;
      }
    }
    S.grids.set(tb.key, { grid, tb });
    const wrap = el('div', { class: 'table-wrap' });
    const table = el('table', { class: 'form-table', 'data-table': tb.key, 'data-columns': String(tb.columns) });
    if (tb.heading) table.append(el('caption', { class: 'visually-hidden' }, tb.heading));
    const rows = [];
    const thead = el('thead');
    const tbody = el('tbody');
    for (let r = 0; r < tb.rows; r++) {
      const tr = el('tr');
      rows.push(tr);
      (r < (tb.header_rows || 0) ? thead : tbody).append(tr);
    }
    for (const c of tb.cells) {
      const tr = rows[c.row];
      if (!tr) continue;
      const span = {};
      if ((c.rowspan || 1) > 1) span.rowspan = String(c.rowspan);
      if ((c.colspan || 1) > 1) span.colspan = String(c.colspan);
      if (c.role === 'value' && c.path) {
        const label = cellLabel(grid, tb, c);
        S.cellInfo.set(c.path, { label, cell: c, table: tb.key });
        const td = el('td', Object.assign({ class: 'v', 'data-path': c.path }, span));
        const input = el('input', {
          class: 'cell', type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false',
          'aria-label': label, 'aria-describedby': 'cell-detail', id: 'cell-' + c.path.replace(/\./g, '-'),
        });
        input.value = cellText(cellGet(current().report, c.path));
        td.append(input, el('span', { class: 'mark', 'aria-hidden': 'true' }));
        S.cellEls.set(c.path, td);
        applyCellState(td, c);
        tr.append(td);
      } else {
        const role = c.role || 'label';
        const attrs = Object.assign({ class: 'h ' + role }, span);
        if (role === 'header') attrs.scope = (c.colspan || 1) > 1 ? 'colgroup' : 'col';
        else if (role === 'label') attrs.scope = (c.rowspan || 1) > 1 ? 'rowgroup' : 'row';
        const th = el(role === 'caption' ? 'td' : 'th', attrs);
        const text = c.text || '';
        th.append(c.vertical ? el('span', { class: 'vertical' }, text) : text);
        tr.append(th);
      }
    }
    table.append(thead, tbody);
    wrap.append(table);
    const note = el('p', { class: 'table-note', 'data-note': tb.key });
    note.textContent = tb.note || '';
    note.hidden = !tb.note;
    const container = el('div', { class: 'table-block', 'data-table': tb.key }, wrap, note);
    return container;
  }

  function cellLabel(grid, tb, c) {
    const r = c.row, k = c.col;
    const rowParts = [];
    for (let cc = 0; cc < k; cc++) {
      const x = grid[r][cc];
      if (x && x.role === 'label' && x.text && !rowParts.includes(x.text)) rowParts.push(x.text);
    }
    const colParts = [];
    for (let rr = r - 1; rr >= 0; rr--) {
      const x = grid[rr][k];
      if (!x) continue;
      if (x.role === 'header') { if (x.text && !colParts.includes(x.text)) colParts.unshift(x.text); }
      else if (colParts.length || x.role === 'caption') break;
    }
    // the first label column of table 三 (本年度办理结果) is long and shared: keep the last two
    const rowText = rowParts.slice(-2).join(' ');
    const colText = colParts.filter((x) => !/^（本列数据/.test(x)).slice(-2).join(' · ');
    return [rowText, colText].filter(Boolean).join(' — ') || c.path;
  }

  function setMark(td, state, mark) {
    const text = mark || STATE_MARK[state] || '';
    const m = td.querySelector('.mark');
    if (m.textContent !== text) m.textContent = text;
  }

  function applyCellState(td, c) {
    const state = STATES.includes(c.state) ? c.state : 'printed';
    td.dataset.state = state;
    setMark(td, state, c.mark || '');
    const e = current();
    const line = c.line || (e && e.lines && e.lines[c.path]) || 0;
    if (line) td.dataset.line = String(line); else delete td.dataset.line;
    const input = td.querySelector('input');
    const info = S.cellInfo.get(c.path);
    if (info) info.cell = c;
    const label = info ? info.label : c.path;
    input.setAttribute('aria-label', `${label}（${t('state.' + state)}）`);
  }

  function updateStates(e) {
    for (const tb of e.doc.tables || []) {
      for (const c of tb.cells) {
        if (c.role !== 'value' || !c.path) continue;
        const td = S.cellEls.get(c.path);
        if (!td) continue;
        applyCellState(td, c);
        const input = td.querySelector('input');
        if (document.activeElement !== input && !td.classList.contains('invalid')) {
          const want = cellText(cellGet(e.report, c.path));
          if (input.value !== want) input.value = want;
        }
      }
      const note = document.querySelector(`#doc [data-note="${tb.key}"]`);
      if (note) { note.textContent = tb.note || ''; note.hidden = !tb.note; }
    }
    if (S.tipFor) showTip(S.tipFor);
    if (S.detailFor && S.detailFor.isConnected) showDetail(S.detailFor);
  }

  // ------------------------------------------------------------------ summary
  function drawSummary(e) {
    const box = $('#summary');
    const body = $('#summary-body');
    body.textContent = '';
    if (!e) { box.dataset.status = ''; body.append(el('p', { class: 'muted' }, t('summary.none'))); return; }
    if (e.status === 'unreadable') {
      box.dataset.status = 'unreadable';
      body.append(el('p', { class: 'status-line' },
        el('span', { class: 'badge', 'data-status': 'unreadable' }, `${STATUS_ICON.unreadable} ${statusLabel('unreadable')}`),
        el('span', { class: 'name' }, e.name)),
        el('p', { class: 'words' }, t('summary.unreadable'), el('span', { class: 'error-line' }, e.error || t('unknown'))));
      return;
    }
    if (!e.doc) {
      box.dataset.status = e.status === 'opening' ? '' : e.status;
      body.append(el('p', { class: 'muted' }, e.status === 'opening' ? t('summary.loading') : t('list.checking')));
      return;
    }
    const code = (e.doc.status && e.doc.status.code) || e.status;
    box.dataset.status = code;
    const c = e.doc.counts || {};
    const diags = e.doc.diagnostics || [];
    const errors = diags.filter((d) => d.severity === 'error');
    const ruleErrors = errors.filter((d) => /^R\d+$/.test(d.code || ''));
    const parts = [];
    if (c.unresolved) parts.push(t(e.isNew ? 'summary.unfilled' : 'summary.unresolved', { n: c.unresolved }));
    if (c.rules_failing) {
      let s = t('summary.rules', { n: c.rules_failing });
      const first = ruleErrors[0];
      if (first) s += t('summary.rule.first', { code: first.code, msg: shorten(ruleGist(first), 56), more: ruleErrors.length > 1 ? ' …' : '' });
      parts.push(s);
    }
    const other = errors.length - ruleErrors.length - errors.filter((d) => /unresolved|unreadable/.test(d.code || '')).length;
    if (other > 0) parts.push(t('summary.otherErrors', { n: other }));
    if (c.inferred) parts.push(t('summary.inferred', { n: c.inferred }));
    if (c.by_position) parts.push(t('summary.by_position', { n: c.by_position }));
    if (c.repaired) parts.push(t('summary.repaired', { n: c.repaired }));
    if (c.edited) parts.push(t('summary.edited', { n: c.edited }));
    if (!parts.length && c.warnings) parts.push(t('summary.warningsOnly', { n: c.warnings }));
    const words = parts.length ? parts.join(t('summary.sep')) + t('summary.end') : t('summary.pass');
    body.append(el('p', { class: 'status-line' },
      el('span', { class: 'badge', 'data-status': code }, `${STATUS_ICON[code] || ''} ${statusLabel(code)}`),
      el('span', { class: 'name' }, e.name)),
      el('p', { class: 'words' }, words));
    // the cover fields print on the first page: say which are still empty (the rules do not)
    const rep = e.report || {};
    const missing = ['title', 'organization', 'year'].filter((k) => rep[k] === null || rep[k] === undefined || String(rep[k]).trim() === '');
    if (missing.length) {
      body.append(el('p', { class: 'words missing-fields' },
        t('summary.missing', { what: missing.map((k) => t('field.' + k)).join(t('list.sep')) })));
    }
    const unresolvedCodes = ['unresolved', 'unreadable_value'];
    const grouped = errors.filter((d) => unresolvedCodes.includes(d.code));
    const singles = ruleErrors.concat(errors.filter((d) => !ruleErrors.includes(d) && !grouped.includes(d)));
    const nUnresolved = c.unresolved || grouped.length;
    if (singles.length || nUnresolved) {
      const max = 8;
      const list = el('ul', { class: 'diag-list' });
      for (const d of singles.slice(0, max)) list.append(diagItem(d));
      if (nUnresolved) {
        list.append(el('li', { class: 'diag diag-error' },
          el('button', { type: 'button', class: 'diag-link', 'data-next': 'unresolved' },
            el('span', { class: 'diag-icon', 'aria-hidden': 'true' }, '※'),
            el('span', null, t(e.isNew ? 'summary.nextUnfilled' : 'summary.nextUnresolved', { n: nUnresolved })))));
      }
      const det = el('div', { class: 'diags' }, el('p', { class: 'diag-title' }, t('summary.errors.title')), list);
      if (singles.length > max) det.append(el('p', { class: 'muted' }, t('summary.more', { n: singles.length - max })));
      body.append(det);
    }
    const warnings = diags.filter((d) => d.severity === 'warning');
    if (warnings.length) {
      const list = el('ul', { class: 'diag-list' });
      for (const d of warnings.slice(0, 40)) list.append(diagItem(d));
      body.append(el('details', { class: 'warnings' }, el('summary', null, t('summary.warnings.title', { n: warnings.length })), list));
    }
  }

  /** The gist of a rule diagnostic for one sentence: without the code it starts with, the
   *  clause about other equations and the English tail. */
  function ruleGist(d) {
    let m = String(d.message || '');
    if (d.code && m.startsWith(d.code)) m = m.slice(d.code.length);
    m = m.replace(/；其中.*$/, '').replace(/\s*\([^()]*\)\s*$/, '');
    return m.trim();
  }

  function shorten(s, n) { s = String(s || ''); return s.length > n ? s.slice(0, n - 1) + '…' : s; }

  function diagTarget(d) {
    const cands = [];
    if (d.cell) cands.push(d.cell);
    if (Array.isArray(d.cells)) cands.push(...d.cells);
    for (const p of cands) {
      if (S.cellEls.has(p)) return { path: p };
      // a row or table path: the first cell under it
      for (const k of S.cellEls.keys()) if (k.startsWith(p + '.')) return { path: k };
    }
    return d.line ? { line: d.line } : null;
  }

  function diagItem(d) {
    const target = diagTarget(d);
    const icon = d.severity === 'error' ? (/^R\d+$/.test(d.code || '') ? '▲' : '※') : '!';
    const msg = String(d.message || '');
    const text = d.code && !msg.startsWith(d.code) && !/^[a-z_]+$/.test(d.code) ? `${d.code}: ${msg}` : msg;
    const li = el('li', { class: 'diag diag-' + d.severity });
    if (target) {
      const b = el('button', { type: 'button', class: 'diag-link', title: text },
        el('span', { class: 'diag-icon', 'aria-hidden': 'true' }, icon), el('span', { class: 'diag-text' }, text));
      if (target.path) b.dataset.path = target.path;
      if (target.line || d.line) b.dataset.line = String(target.line || d.line);
      li.append(b);
    } else {
      li.append(el('span', { class: 'diag-icon', 'aria-hidden': 'true' }, icon), el('span', null, text));
    }
    return li;
  }

  function focusCell(path) {
    const td = S.cellEls.get(path);
    if (!td) return;
    const input = td.querySelector('input');
    td.scrollIntoView({ block: 'center', inline: 'nearest' });
    input.focus({ preventScroll: true });
    input.select();
    td.classList.add('flash');
    setTimeout(() => td.classList.remove('flash'), 1200);
  }

  /** The next cell (after the focused one, in reading order) in `state`. */
  function focusNext(state) {
    const tds = [...document.querySelectorAll(`#doc td[data-path][data-state="${state}"]`)];
    if (!tds.length) return;
    const active = document.activeElement && document.activeElement.closest && document.activeElement.closest('td[data-path]');
    let next = tds[0];
    if (active) {
      const after = tds.find((td) => active.compareDocumentPosition(td) & Node.DOCUMENT_POSITION_FOLLOWING);
      if (after) next = after;
    } else if (S.lastNext && tds.includes(S.lastNext)) {
      next = tds[(tds.indexOf(S.lastNext) + 1) % tds.length];
    }
    S.lastNext = next;
    focusCell(next.dataset.path);
  }

  // ------------------------------------------------------------------ source pane
  let sourceDrawnFor = null;
  function drawSource(e) {
    const box = $('#source');
    const src = e && e.source;
    const key = e ? `${e.id}:${src ? src.length : 0}:${lang}` : null;
    if (sourceDrawnFor === key && key !== null) return;
    sourceDrawnFor = key;
    box.textContent = '';
    if (!e || e.status === 'unreadable' || e.status === 'opening') return;
    if (!src || !src.length) {
      box.append(el('p', { class: 'muted' }, e.sourceDropped ? t('source.notloaded') : t('source.none')));
      return;
    }
    const frag = document.createDocumentFragment();
    for (const l of src) {
      const row = el('div', { class: 'src-line', 'data-line': String(l.line) });
      row.append(el('span', { class: 'ln', 'aria-hidden': 'true' }, String(l.line)), el('span', { class: 'tx' }, l.text));
      frag.append(row);
    }
    box.append(frag);
    box.scrollTop = 0;
  }

  /** Where a cell's row stands in the source when the server gave no line: the first line,
   *  after the table's heading, holding the row's label. 0 when not found. */
  function guessLine(e, path) {
    if (!e || !e.source || !e.source.length || !path) return 0;
    if (!e.lineGuess) e.lineGuess = new Map();
    if (e.lineGuess.has(path)) return e.lineGuess.get(path);
    const norm = (x) => String(x || '').replace(/[\s\u3000（）()【】\[\]、，,。.:：;；“”"'‘’—_-]/g, '');
    const info = S.cellInfo.get(path);
    const g = info && S.grids.get(info.table);
    let found = 0;
    if (g) {
      const c = info.cell;
      const labels = [];
      for (let k = 0; k < c.col; k++) {
        const x = g.grid[c.row][k];
        if (x && x.role === 'label' && x.text && !labels.includes(x.text)) labels.push(x.text);
      }
      const label = norm(labels[labels.length - 1]).slice(0, 10);
      const heading = norm(String(g.tb.heading || '').replace(/^[一二三四五六七八九十]+、/, '')).slice(0, 10);
      let start = 0;
      if (heading) {
        const h = e.source.findIndex((l) => norm(l.text).includes(heading));
        if (h >= 0) start = h;
      }
      if (label.length >= 2) {
        for (let i = start; i < e.source.length; i++) {
          if (norm(e.source[i].text).includes(label)) { found = e.source[i].line; break; }
        }
      }
    }
    e.lineGuess.set(path, found);
    return found;
  }

  function showSourceLine(line) {
    const box = $('#source');
    for (const old of box.querySelectorAll('.src-line.hl')) old.classList.remove('hl');
    if (!line) return;
    let row = box.querySelector(`.src-line[data-line="${line}"]`);
    if (!row) {
      // the nearest line before it
      let best = null;
      for (const r of box.querySelectorAll('.src-line')) { if (+r.dataset.line <= line) best = r; else break; }
      row = best;
    }
    if (!row) return;
    row.classList.add('hl');
    const top = row.offsetTop - box.clientHeight / 3;
    box.scrollTop = Math.max(0, top);
  }

  // ------------------------------------------------------------------ cell details: tooltip (hover) and detail line (focus)
  const tip = $('#tip');
  const detail = $('#cell-detail');

  /** Fills `box` with what is known of the cell `td`: its labels, state, line and notes. */
  function fillCellInfo(box, td, extra) {
    const path = td.dataset.path;
    const info = S.cellInfo.get(path);
    box.textContent = '';
    if (!info) return false;
    const c = info.cell || {};
    const state = td.dataset.state || 'printed';
    const mark = td.querySelector('.mark').textContent;
    const head = el('div', { class: 'tip-head' },
      el('span', { class: 'swatch', 'data-state': state, 'aria-hidden': 'true' }, mark || ''),
      el('span', { class: 'tip-state', 'data-state': state }, t('state.' + state)),
      el('span', { class: 'tip-label' }, info.label));
    const e = current();
    const cur = e && e.report ? cellGet(e.report, path) : { na: false };
    const extras = [];
    if (cur.na) extras.push(t('cell.na'));
    if (td.dataset.line) extras.push(t('cell.line', { n: td.dataset.line }));
    if (extras.length) head.append(el('span', { class: 'tip-extra' }, extras.join(' · ')));
    box.append(head);
    if (extra) box.append(el('div', { class: 'tip-error', role: 'alert' }, extra));
    for (const n of c.notes || []) box.append(el('div', { class: 'tip-note' }, cleanNote(n)));
    return true;
  }

  /** The detail line under the document for the focused cell (does not cover the table). */
  function showDetail(td, extra) {
    if (!fillCellInfo(detail, td, extra)) { hideDetail(); return; }
    const was = detail.hidden;
    detail.hidden = false;
    S.detailFor = td;
    if (was) td.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    if (S.tipFor === td) hideTip();
  }
  function hideDetail() {
    detail.hidden = true;
    detail.textContent = '';
    S.detailFor = null;
  }

  /** The tooltip for a cell under the mouse pointer. */
  function showTip(td, extra) {
    if (td === S.detailFor && !extra) { hideTip(); return; }
    if (!fillCellInfo(tip, td, extra)) return;
    tip.hidden = false;
    S.tipFor = td;
    const rect = td.getBoundingClientRect();
    const w = Math.min(420, window.innerWidth - 16);
    tip.style.maxWidth = w + 'px';
    let left = rect.left;
    if (left + w > window.innerWidth - 8) left = Math.max(8, window.innerWidth - 8 - w);
    tip.style.left = left + 'px';
    tip.style.top = (rect.bottom + 4) + 'px';
    const th = tip.offsetHeight;
    if (rect.bottom + th + 8 > window.innerHeight) tip.style.top = Math.max(4, rect.top - th - 4) + 'px';
    // hide it when the cell has scrolled out of its pane
    const pane = $('#scroll').getBoundingClientRect();
    tip.hidden = rect.bottom < pane.top || rect.top > pane.bottom;
  }
  /** A diagnostic line without its machine prefix (`error[R1] [applications] …`). */
  function cleanNote(n) {
    return String(n).replace(/^(?:error|warning|note|info|repair|inferred|unresolved)\[[^\]]*\]\s*(?:\[[^\]]*\]\s*)?/, '');
  }
  function hideTip() {
    tip.hidden = true;
    S.tipFor = null;
  }

  // ------------------------------------------------------------------ downloads and preview
  function saveBlob(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: filename });
    a.style.display = 'none';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  /** The file name the server names the outputs after (it drops one extension). */
  function outputName(e) {
    if (e.isNew && e.report && e.report.title) return e.report.title.replace(/[\\/:*?"<>|\n\r.]/g, '_').slice(0, 80) + '.json';
    // files of one name from different folders (each department's 年报.pdf): name the outputs
    // after the folder too, or the zip holds 年报.pdf and 年报 (2).pdf nobody can tell apart
    const dir = e.relPath ? e.relPath.replace(/[\\/][^\\/]*$/, '') : '';
    if (dir && dir !== e.relPath && S.reports.some((o) => o !== e && o.name === e.name)) {
      return `${dir.replace(/[\\/]+/g, '-')}-${e.name}`;
    }
    return e.name;
  }
  function outputStem(e) { return stemOf(outputName(e)); }

  async function render(format) {
    const e = current();
    if (!e || !e.report || e.status === 'unreadable') { say('msg.nothing', null, 'warn'); return null; }
    const ext = format === 'md' ? 'md' : format;
    const answer = await api('POST', '/api/render?format=' + encodeURIComponent(format),
      { report: e.report, edited: [...e.edited], name: outputName(e) }, { blob: true });
    return { blob: answer.blob, filename: answer.filename || `${outputStem(e)}.${ext}` };
  }

  async function download(format, button) {
    if (button) button.setAttribute('aria-busy', 'true');
    try {
      const r = await render(format);
      if (!r) return;
      saveBlob(r.blob, r.filename);
      say('msg.downloaded', { file: r.filename }, 'info');
    } catch (err) {
      showError(err, 'msg.renderfail');
    } finally {
      if (button) button.removeAttribute('aria-busy');
    }
  }

  async function downloadZip(button) {
    const list = sortedReports().filter((r) => r.report && r.status !== 'unreadable');
    if (!list.length) { say('msg.nothing', null, 'warn'); return; }
    button.setAttribute('aria-busy', 'true');
    try {
      const answer = await api('POST', '/api/zip', {
        reports: list.map((r) => ({ name: outputName(r), report: r.report, edited: [...r.edited] })),
        formats: ['pdf', 'docx', 'json'],
      }, { blob: true });
      const name = answer.filename || 'nianbao.zip';
      saveBlob(answer.blob, name);
      say('msg.downloaded', { file: name }, 'info');
    } catch (err) {
      showError(err, 'msg.renderfail');
    } finally {
      button.removeAttribute('aria-busy');
    }
  }

  let previewUrl = null;
  let previewFile = null;
  async function previewPdf(button) {
    button.setAttribute('aria-busy', 'true');
    try {
      const r = await render('pdf');
      if (!r) return;
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      const blob = r.blob.type === 'application/pdf' ? r.blob : new Blob([r.blob], { type: 'application/pdf' });
      previewUrl = URL.createObjectURL(blob);
      previewFile = { blob, filename: r.filename };
      const frame = $('#pdf-frame');
      frame.src = previewUrl;
      const dlg = $('#pdf-dialog');
      if (typeof dlg.showModal === 'function') { if (!dlg.open) dlg.showModal(); } else dlg.setAttribute('open', '');
    } catch (err) {
      showError(err, 'msg.renderfail');
    } finally {
      button.removeAttribute('aria-busy');
    }
  }
  function closePreview() {
    const dlg = $('#pdf-dialog');
    if (dlg.open) { if (typeof dlg.close === 'function') dlg.close(); else dlg.removeAttribute('open'); }
    $('#pdf-frame').removeAttribute('src');
    if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
  }

  // ------------------------------------------------------------------ language
  function applyLang() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t('doc.title');
    for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
    for (const n of document.querySelectorAll('[data-i18n-title]')) n.title = t(n.dataset.i18nTitle);
    for (const n of document.querySelectorAll('[data-i18n-aria]')) n.setAttribute('aria-label', t(n.dataset.i18nAria));
    const btn = $('#lang');
    btn.textContent = t('lang.switch');
    btn.setAttribute('aria-label', t('lang.switch.label'));
    btn.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
    $('#toggle-source').title = t('btn.source.title');
    $('#pdf-frame').title = t('preview.title');
    drawLegend();
    sourceDrawnFor = null;
    if (S.msg && msgBox.classList.contains('show')) {
      const m = S.msg;
      showMessage(m.fn(), m.kind, true);
      S.msg = m;
    }
    // redraw what carries strings; keep focus on the toggle
    const e = current();
    if (e && e.doc && S.drawnId === e.id) {
      drawList();
      drawSummary(e);
      drawSource(e);
      // labels and placeholders in the document
      for (const [path, td] of S.cellEls) {
        const info = S.cellInfo.get(path);
        if (info && info.cell) applyCellState(td, info.cell);
      }
      const map = { title: 'meta.title', organization: 'meta.organization', year: 'meta.year' };
      for (const n of document.querySelectorAll('#doc [data-target]')) {
        const tg = n.dataset.target;
        if (n.getAttribute('role') === 'textbox') {
          n.setAttribute('data-placeholder', tg === 'title' ? t('meta.title.placeholder') : t('block.placeholder'));
          n.setAttribute('aria-label', map[tg] ? t(map[tg])
            : /:h$/.test(tg) ? t('section.heading')
              : n.classList.contains('block-heading') ? t('block.heading') : t('block.paragraph'));
        }
      }
      const fv = $('#doc .form-version');
      if (fv) fv.textContent = t('meta.form', { v: e.report.form || '?' });
      const labels = document.querySelectorAll('#doc .meta-row label');
      if (labels[0]) labels[0].textContent = t('meta.organization');
      if (labels[1]) labels[1].textContent = t('meta.year');
      for (const b of document.querySelectorAll('#doc .add-para')) b.textContent = t('section.add');
    } else {
      drawAll();
    }
  }

  // ------------------------------------------------------------------ events
  function wire() {
    const fileInput = $('#file-input');
    const folderInput = $('#folder-input');
    fileInput.addEventListener('change', () => {
      const t0 = now();
      const items = filesFromList(fileInput.files);
      fileInput.value = '';
      if (items.length) openFiles(items, t0);
    });
    folderInput.addEventListener('change', () => {
      const t0 = now();
      const items = filesFromList(folderInput.files, { folder: true });
      folderInput.value = '';
      openFiles(items, t0);
    });

    const drop = $('#drop');
    drop.addEventListener('click', (ev) => {
      if (ev.target.closest('label, input, button, a')) return;
      fileInput.click();
    });
    drop.addEventListener('keydown', (ev) => {
      if ((ev.key === 'Enter' || ev.key === ' ') && ev.target === drop) { ev.preventDefault(); fileInput.click(); }
    });
    let dragDepth = 0;
    const hasFiles = (ev) => ev.dataTransfer && [...(ev.dataTransfer.types || [])].includes('Files');
    document.addEventListener('dragenter', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      dragDepth++;
      document.body.classList.add('dragging');
    });
    document.addEventListener('dragover', (ev) => {
      if (!hasFiles(ev)) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
      document.body.classList.add('dragging');
    });
    document.addEventListener('dragleave', (ev) => {
      if (!hasFiles(ev)) return;
      dragDepth = Math.max(0, dragDepth - 1);
      if (!dragDepth) document.body.classList.remove('dragging');
    });
    document.addEventListener('drop', async (ev) => {
      if (!ev.dataTransfer) return;
      ev.preventDefault();
      dragDepth = 0;
      document.body.classList.remove('dragging');
      const t0 = now();
      S.openingJobs++;
      let items;
      try { items = await filesFromDrop(ev.dataTransfer); } finally { S.openingJobs--; }
      openFiles(items, t0);
    });

    $('#new-2021').addEventListener('click', () => newReport('2021'));
    $('#new-2019').addEventListener('click', () => newReport('2019'));
    $('#undo').addEventListener('click', undo);
    $('#lang').addEventListener('click', () => {
      lang = lang === 'zh' ? 'en' : 'zh';
      try { lsSet('lang', lang); } catch (_) { /* ignore */ }
      applyLang();
    });
    $('#sort').addEventListener('change', (ev) => { S.sort = ev.target.value; saveIndex(); drawList(); });

    listEl.addEventListener('click', (ev) => {
      const li = ev.target.closest('.report-item');
      if (!li) return;
      const e = byId(Number(li.dataset.id));
      if (!e) return;
      const close = ev.target.closest('.close');
      if (close) {
        const edited = e.edited.size > 0 || e.undo.length > 0;
        if (edited && close.dataset.confirm !== 'true') {
          close.dataset.confirm = 'true';
          close.textContent = t('list.discard');
          close.setAttribute('aria-label', t('list.discard.label', { name: e.name }));
          close.classList.add('confirm');
          setTimeout(() => {
            if (close.isConnected) {
              delete close.dataset.confirm;
              close.classList.remove('confirm');
              fillItem(li, e);
            }
          }, 4000);
          return;
        }
        discard(e);
        const next = listEl.querySelector('.report-item .pick');
        if (next) next.focus();
        return;
      }
      if (e.id !== S.currentId) select(e.id);
    });

    // editing in the document
    const docEl = $('#doc');
    const onEdit = (ev) => {
      const t0 = now();
      const target = ev.target;
      if (target.classList && target.classList.contains('cell')) onCellInput(target, t0);
      else if (target.dataset && target.dataset.target) onTextInput(target, t0);
    };
    docEl.addEventListener('input', onEdit);
    docEl.addEventListener('change', onEdit); // a value set without input events (e.g. by automation)
    docEl.addEventListener('keydown', (ev) => {
      const target = ev.target;
      if (target.classList.contains('cell')) {
        if (ev.key === 'Enter' || ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
          ev.preventDefault();
          moveVertical(target.closest('td'), ev.key === 'ArrowUp' || (ev.key === 'Enter' && ev.shiftKey) ? -1 : 1);
        } else if (ev.key === 'Escape') {
          hideTip();
          hideDetail();
        }
      } else if (target.getAttribute && target.getAttribute('aria-multiline') === 'false' && ev.key === 'Enter') {
        ev.preventDefault();
      }
    });
    docEl.addEventListener('paste', (ev) => {
      const target = ev.target.closest && ev.target.closest('[contenteditable]');
      if (!target || target.contentEditable === 'plaintext-only') return;
      ev.preventDefault();
      const text = (ev.clipboardData || window.clipboardData).getData('text/plain');
      document.execCommand('insertText', false, text);
    });
    docEl.addEventListener('beforeinput', (ev) => {
      if (ev.inputType === 'historyUndo') { ev.preventDefault(); undo(); }
      else if (ev.inputType === 'historyRedo') ev.preventDefault();
    });
    docEl.addEventListener('focusin', (ev) => {
      const td = ev.target.closest && ev.target.closest('td[data-path]');
      if (td) {
        showDetail(td);
        showSourceLine(Number(td.dataset.line) || guessLine(current(), td.dataset.path));
      }
    });
    docEl.addEventListener('focusout', (ev) => {
      S.openUndo = null;
      const td = ev.target.closest && ev.target.closest('td[data-path]');
      if (td) {
        const input = td.querySelector('input');
        if (td.classList.contains('invalid')) {
          // leave it as it was before the bad text
          const e = current();
          if (e) {
            const typed = input.value;
            input.value = cellText(cellGet(e.report, td.dataset.path));
            const label = (S.cellInfo.get(td.dataset.path) || {}).label || td.dataset.path;
            showMessage(t('msg.reverted', { v: typed, label, old: input.value || t('blank.word') }), 'warn', true);
          }
          td.classList.remove('invalid');
          input.removeAttribute('aria-invalid');
        }
        if (S.tipFor === td) hideTip();
        setTimeout(() => {
          const a = document.activeElement;
          if (!(a && a.closest && a.closest('#doc td[data-path]'))) hideDetail();
        }, 0);
      }
    });
    docEl.addEventListener('mouseover', (ev) => {
      const td = ev.target.closest && ev.target.closest('td[data-path]');
      if (td && S.tipFor !== td) showTip(td);
    });
    docEl.addEventListener('mouseout', (ev) => {
      const td = ev.target.closest && ev.target.closest('td[data-path]');
      if (!td || (ev.relatedTarget && td.contains(ev.relatedTarget))) return;
      hideTip();
    });
    docEl.addEventListener('click', (ev) => {
      const add = ev.target.closest('.add-para');
      if (add) { const e = current(); if (e) addParagraph(e, Number(add.dataset.section)); }
    });

    $('#summary').addEventListener('click', (ev) => {
      const b = ev.target.closest('.diag-link');
      if (!b) return;
      if (b.dataset.next) focusNext(b.dataset.next);
      else if (b.dataset.path) focusCell(b.dataset.path);
      else if (b.dataset.line) showSourceLine(Number(b.dataset.line));
    });

    $('#dl-pdf').addEventListener('click', (ev) => download('pdf', ev.currentTarget));
    $('#dl-docx').addEventListener('click', (ev) => download('docx', ev.currentTarget));
    $('#dl-json').addEventListener('click', (ev) => download('json', ev.currentTarget));
    $('#dl-csv').addEventListener('click', (ev) => download('csv', ev.currentTarget));
    $('#dl-md').addEventListener('click', (ev) => download('md', ev.currentTarget));
    $('#dl-zip').addEventListener('click', (ev) => downloadZip(ev.currentTarget));
    $('#preview-pdf').addEventListener('click', (ev) => previewPdf(ev.currentTarget));
    $('#pdf-close').addEventListener('click', closePreview);
    $('#pdf-dialog').addEventListener('close', () => {
      $('#pdf-frame').removeAttribute('src');
      if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
      $('#preview-pdf').focus();
    });
    $('#pdf-download').addEventListener('click', () => { if (previewFile) saveBlob(previewFile.blob, previewFile.filename); });
    $('#toggle-source').addEventListener('click', (ev) => {
      const hidden = document.body.classList.toggle('no-source');
      ev.currentTarget.setAttribute('aria-pressed', hidden ? 'false' : 'true');
      try { lsSet('source', hidden ? 'hidden' : 'shown'); } catch (_) { /* ignore */ }
    });

    document.addEventListener('keydown', (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && (ev.key === 'z' || ev.key === 'Z') && !ev.shiftKey) {
        if (document.querySelector('dialog[open]')) return;
        ev.preventDefault();
        undo();
      } else if ((ev.ctrlKey || ev.metaKey) && (ev.key === 'y' || ((ev.key === 'z' || ev.key === 'Z') && ev.shiftKey))) {
        ev.preventDefault(); // no native redo: it would bypass the working copy
      }
    });
    window.addEventListener('pagehide', flushSaves);
    window.addEventListener('beforeunload', flushSaves);
    window.addEventListener('resize', () => { if (S.tipFor) showTip(S.tipFor); });
    $('#scroll').addEventListener('scroll', () => { if (S.tipFor) showTip(S.tipFor); }, { passive: true });
    window.addEventListener('storage', (ev) => {
      if (ev.key === LS_PREFIX + 'index') showMessage(lang === 'zh' ? '另一个窗口也打开了本页，请只在一个窗口里修改，以免互相覆盖。' : 'This page is open in another window too; edit in one window only.', 'warn', true);
    });
  }

  function moveVertical(td, dir) {
    const info = S.cellInfo.get(td.dataset.path);
    if (!info) return;
    const g = S.grids.get(info.table);
    if (!g) return;
    const c = info.cell;
    for (let r = c.row + (dir > 0 ? (c.rowspan || 1) : -1); r >= 0 && r < g.tb.rows; r += dir) {
      const x = g.grid[r][c.col];
      if (x && x.role === 'value' && x.path && x !== c) {
        const next = S.cellEls.get(x.path);
        if (next) { const i = next.querySelector('input'); i.focus(); i.select(); }
        return;
      }
    }
  }

  // ------------------------------------------------------------------ start
  async function start() {
    try { if (localStorage.getItem(LS_PREFIX + 'source') === 'hidden') { document.body.classList.add('no-source'); $('#toggle-source').setAttribute('aria-pressed', 'false'); } } catch (_) { /* ignore */ }
    wire();
    const restored = restore();
    $('#sort').value = S.sort;
    applyLang();
    drawAll();
    try {
      S.info = await api('GET', '/api/info');
    } catch (err) {
      showError(err);
    }
    if (restored) {
      say('msg.restored', { n: restored }, 'info');
      // current first, then the rest, one at a time
      const order = [current(), ...sortedReports()].filter((r, i, a) => r && a.indexOf(r) === i && r.report && r.status !== 'unreadable');
      for (const r of order) {
        if (!byId(r.id) || r.doc) continue;
        await runCheck(r);
        if (r.id === S.currentId && !$('#doc').querySelector('table')) drawAll();
      }
    }
    updateBusyMark();
  }

  start();
})();
