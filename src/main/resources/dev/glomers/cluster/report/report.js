// The report page's script: reads the run's JSON block and draws the charts (uPlot) and the message
// diagram (SVG). When every picture is drawn it sets data-report-ready on <body>, listing them; tests
// and screenshots wait for that marker.
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('run-data').textContent);
  const ops = data.ops;
  const OK_COLOURS = ['#1f77b4', '#2ca02c', '#9467bd', '#17becf', '#8c564b', '#e377c2', '#7f7f7f'];
  const FAIL_COLOURS = ['#d62728', '#ff6f91', '#a50f15', '#fb6a4a'];
  const INFO_COLOURS = ['#ff7f0e', '#bcbd22', '#e6a100', '#c77c02'];
  const TYPE_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf',
    '#bcbd22', '#7f7f7f', '#d62728'];

  const expected = ['latency', 'rate', 'messages', 'diagram'];
  if (data.stable && data.stable.length) {
    expected.push('stable');
  }
  const drawn = new Set();

  function markDrawn(name) {
    if (drawn.has(name)) {
      return;
    }
    drawn.add(name);
    document.getElementById(name).setAttribute('data-drawn', 'true');
    if (expected.every(n => drawn.has(n))) {
      document.body.setAttribute('data-report-ready', expected.slice().sort().join(','));
    }
  }

  function fmt(x, digits) {
    return Number(x).toFixed(digits);
  }

  function width(el) {
    return Math.max(400, el.clientWidth || document.body.clientWidth - 48);
  }

  // --- header and figures ---

  document.getElementById('title').textContent = data.title;
  const verdict = document.getElementById('verdict');
  verdict.textContent = data.valid;
  verdict.className = data.valid === 'valid' ? 'valid' : data.valid === 'invalid'
    ? 'invalid' : 'unknown';
  document.getElementById('summary').textContent = data.summary;

  function quantile(sorted, p) {
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : null;
  }

  const okLatencies = ops.latency.filter((l, i) => ops.type[i] === 'ok').sort((a, b) => a - b);
  const counts = {ok: 0, fail: 0, info: 0, none: 0};
  ops.type.forEach(t => counts[t]++);
  const figures = [
    ['operations', String(ops.t.length)],
    ['ok / failed / indeterminate', counts.ok + ' / ' + counts.fail + ' / ' + (counts.info + counts.none)],
    ['msgs-per-op (servers)', fmt(data.msgsPerOp.servers, 3)],
    ['msgs-per-op (all)', fmt(data.msgsPerOp.all, 3)],
    ['latency p50 / p99 (ms, ok)', okLatencies.length
      ? fmt(quantile(okLatencies, 0.5), 1) + ' / ' + fmt(quantile(okLatencies, 0.99), 1) : '-'],
  ];
  if (data.stable && data.stable.length) {
    figures.push(['stable latency p50 / p99 (ms)',
      quantile(data.stable, 0.5) + ' / ' + quantile(data.stable, 0.99)]);
  }
  data.checks.forEach(c => figures.push([c.name, c.verdict, c.summary, c.verdict === 'invalid']));
  const figuresEl = document.getElementById('figures');
  figures.forEach(([label, value, title, bad]) => {
    const div = document.createElement('div');
    div.className = 'figure' + (bad ? ' bad' : '');
    if (title) {
      div.title = title;
    }
    const v = document.createElement('div');
    v.className = 'value';
    v.textContent = value;
    const l = document.createElement('div');
    l.className = 'label';
    l.textContent = label;
    div.append(v, l);
    figuresEl.append(div);
  });

  // --- time series: every fault shaded in its own colour on every chart over time ---

  // A fault's colour, see through, so that overlapping faults and the points under them still show.
  function faultFill(fault) {
    return fault.colour + '80';
  }

  (function faultLegend() {
    const legend = document.getElementById('fault-legend');
    data.faults.forEach(fault => {
      const span = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = faultFill(fault);
      span.append(swatch, fault.kind + ' (' + fault.periods.length + ')');
      legend.append(span);
    });
  })();

  function shadeFaults(u) {
    const ctx = u.ctx;
    ctx.save();
    const left = u.bbox.left;
    const right = u.bbox.left + u.bbox.width;
    data.faults.forEach(fault => {
      ctx.fillStyle = faultFill(fault);
      let bands = 0;
      fault.periods.forEach(([from, to]) => {
        const x0 = Math.max(left, u.valToPos(from, 'x', true));
        const x1 = Math.min(right, u.valToPos(to, 'x', true));
        if (x1 > x0) {
          ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
          bands++;
        }
      });
      u.root.parentNode.setAttribute('data-' + fault.kind + '-bands', String(bands));
    });
    ctx.restore();
  }

  function timeChart(name, title, series, xs, ys, yOptions) {
    const el = document.getElementById(name);
    return new uPlot({
      width: width(el),
      height: 300,
      title: title,
      scales: {x: {time: false}, y: yOptions || {}},
      axes: [{label: 'seconds since the clients started'}, {label: title, size: 60}],
      series: [{label: 'time (s)'}].concat(series),
      hooks: {drawClear: [shadeFaults], draw: [() => markDrawn(name)]},
    }, [xs].concat(ys), el);
  }

  // Latency: one point series per (f, outcome).
  (function latency() {
    const series = [];
    const ys = [];
    ops.fs.forEach((f, fi) => {
      [['ok', OK_COLOURS], ['fail', FAIL_COLOURS], ['info', INFO_COLOURS]].forEach(([type, colours]) => {
        const y = ops.t.map((t, i) => ops.f[i] === fi && ops.type[i] === type
          ? Math.max(0.01, ops.latency[i]) : null);
        if (y.every(v => v === null)) {
          return;
        }
        const colour = colours[fi % colours.length];
        series.push({label: f + ' ' + type, stroke: colour, fill: colour, paths: () => null,
          points: {show: true, space: 0, size: 4, width: 1, stroke: colour, fill: colour}});
        ys.push(y);
      });
    });
    timeChart('latency', 'latency (ms, log)', series, ops.t, ys, {distr: 3, log: 10});
  })();

  // Rates: bucket width to suit the run's length.
  const lastTime = Math.max(data.timeLimit, ...ops.t, ...ops.done.filter(d => d !== null));
  const bucket = data.timeLimit >= 20 ? 1 : data.timeLimit >= 5 ? 0.5 : 0.1;
  const bucketCount = Math.ceil(lastTime / bucket) + 1;
  const bucketXs = Array.from({length: bucketCount}, (_, i) => +(i * bucket).toFixed(3));

  function perSecond(times) {
    const counts = new Array(bucketCount).fill(0);
    times.forEach(t => {
      if (t !== null) {
        counts[Math.min(bucketCount - 1, Math.floor(t / bucket))]++;
      }
    });
    return counts.map(c => c / bucket);
  }

  const stepped = uPlot.paths.stepped({align: 1});
  timeChart('rate', 'operations per second', [
    {label: 'invoked', stroke: '#555', width: 1.5, paths: stepped, points: {show: false}},
    {label: 'ok', stroke: OK_COLOURS[0], width: 1.5, paths: stepped, points: {show: false}},
    {label: 'fail', stroke: FAIL_COLOURS[0], width: 1.5, paths: stepped, points: {show: false}},
    {label: 'info', stroke: INFO_COLOURS[0], width: 1.5, paths: stepped, points: {show: false}},
  ], bucketXs, [
    perSecond(ops.t),
    perSecond(ops.done.map((d, i) => ops.type[i] === 'ok' ? d : null)),
    perSecond(ops.done.map((d, i) => ops.type[i] === 'fail' ? d : null)),
    perSecond(ops.done.map((d, i) => ops.type[i] === 'info' ? d : null)),
  ]);

  // Messages sent per second, from the runner's 100 ms buckets.
  (function messages() {
    const per = Math.max(1, Math.round(bucket / data.net.bucketSeconds));
    function rebucket(counts) {
      const out = new Array(bucketCount).fill(0);
      counts.forEach((c, i) => {
        out[Math.min(bucketCount - 1, Math.floor(i / per))] += c;
      });
      return out.map(c => c / bucket);
    }
    document.getElementById('msgs-note').textContent = 'Sent, whether or not delivered; servers are node to '
      + 'node and node to service. msgs-per-op: servers ' + fmt(data.msgsPerOp.servers, 3) + ', all '
      + fmt(data.msgsPerOp.all, 3) + '.';
    timeChart('messages', 'messages per second', [
      {label: 'servers', stroke: TYPE_COLOURS[0], width: 1.5, paths: stepped, points: {show: false}},
      {label: 'clients', stroke: TYPE_COLOURS[1], width: 1.5, paths: stepped, points: {show: false}},
    ], bucketXs, [rebucket(data.net.servers), rebucket(data.net.clients)]);
  })();

  // Stable latency: cumulative distribution.
  if (data.stable && data.stable.length) {
    document.getElementById('stable-section').hidden = false;
    const el = document.getElementById('stable');
    const n = data.stable.length;
    new uPlot({
      width: width(el),
      height: 260,
      title: 'stable latency (' + n + ' values)',
      scales: {x: {time: false}, y: {range: [0, 1]}},
      axes: [{label: 'ms after the value was acknowledged'}, {label: 'fraction stable', size: 60}],
      series: [{label: 'ms'}, {label: 'fraction', stroke: OK_COLOURS[0], width: 2, paths: stepped, points: {show: false}}],
      hooks: {draw: [() => markDrawn('stable')]},
    }, [data.stable, data.stable.map((_, i) => (i + 1) / n)], el);
  }

  // --- message diagram: nodes as columns, time downwards, one arrow per message ---

  (function diagram() {
    const d = data.diagram;
    const el = document.getElementById('diagram');
    const cols = d.columns;
    const spanMs = d.toMs - d.fromMs;
    const left = 64;
    const top = 10;
    const colWidth = Math.max(36, Math.min(110, Math.floor((width(el) - left - 20) / cols.length)));
    const pxPerMs = Math.min(10, 1500 / spanMs);
    let endMs = d.toMs;
    d.messages.forEach(m => {
      if (m[5] !== null) {
        endMs = Math.max(endMs, m[5]);
      }
    });
    endMs = Math.min(endMs, d.toMs + spanMs / 2);
    const x = c => left + colWidth * (c + 0.5);
    const y = ms => top + (ms - d.fromMs) * pxPerMs;
    const svgWidth = left + colWidth * cols.length + 10;
    const svgHeight = Math.ceil(y(endMs)) + 16;

    const typeColour = new Map();
    const typeCount = new Map();
    const typeIndex = new Map();
    d.messages.forEach(m => typeCount.set(m[7], (typeCount.get(m[7]) || 0) + 1));
    // Colours by sorted type name, so that runs of one workload look alike.
    [...typeCount.keys()].sort().forEach(type => {
      typeIndex.set(type, typeColour.size);
      typeColour.set(type, TYPE_COLOURS[typeColour.size % TYPE_COLOURS.length]);
    });

    const parts = [];
    parts.push('<svg class="messages" xmlns="http://www.w3.org/2000/svg" width="' + svgWidth + '" height="'
      + svgHeight + '">');
    parts.push('<defs>');
    typeColour.forEach((colour, type) => {
      parts.push('<marker id="arrow-' + typeIndex.get(type)
        + '" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
        + '<path d="M0,0 L10,5 L0,10 z" fill="' + colour + '"/></marker>');
    });
    parts.push('</defs>');
    // Fault periods inside the window.
    data.faults.forEach(fault => fault.periods.forEach(([from, to]) => {
      const y0 = Math.max(top, y(from * 1000));
      const y1 = Math.min(svgHeight, y(to * 1000));
      if (y1 > y0) {
        parts.push('<rect x="0" y="' + y0 + '" width="' + svgWidth + '" height="' + (y1 - y0) + '" fill="'
          + faultFill(fault) + '"/>');
      }
    }));
    // Time ticks.
    const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].find(s => s * pxPerMs >= 40) || 10000;
    for (let t = Math.ceil(d.fromMs / step) * step; t <= endMs; t += step) {
      parts.push('<line x1="' + (left - 4) + '" x2="' + svgWidth + '" y1="' + y(t) + '" y2="' + y(t)
        + '" stroke="#eee"/><text x="' + (left - 6) + '" y="' + (y(t) + 4) + '" text-anchor="end" fill="#666">'
        + (t >= 1000 ? fmt(t / 1000, 2) + ' s' : t + ' ms') + '</text>');
    }
    // Columns; their names in a header that stays in view while the diagram scrolls.
    const header = ['<div class="diagram-header"><svg xmlns="http://www.w3.org/2000/svg" width="' + svgWidth
      + '" height="20">'];
    cols.forEach((name, c) => {
      parts.push('<line x1="' + x(c) + '" x2="' + x(c) + '" y1="0" y2="' + svgHeight + '" stroke="#bbb"/>');
      header.push('<text x="' + x(c) + '" y="15" text-anchor="middle" font-weight="600">' + name + '</text>');
    });
    header.push('</svg></div>');
    // Messages: solid when delivered, dashed to a cross when dropped, dashed to the edge when still in flight.
    const segments = [];
    d.messages.forEach((m, i) => {
      const [from, to, , , sent, received, dropped, type] = m;
      const x0 = x(from);
      const y0 = y(sent);
      let x1 = x(to);
      let y1;
      let dash = '';
      let end = '';
      if (received !== null) {
        y1 = y(received);
      } else if (dropped) {
        x1 = x0 + (x1 - x0) * 0.4;
        y1 = y0 + 12;
        dash = ' stroke-dasharray="3,2"';
        end = '<path d="M' + (x1 - 3) + ',' + (y1 - 3) + 'l6,6m0,-6l-6,6" stroke="#d62728" stroke-width="1.5"/>';
      } else {
        y1 = svgHeight;
        dash = ' stroke-dasharray="3,2"';
      }
      const colour = typeColour.get(type);
      const marker = received !== null
        ? ' marker-end="url(#arrow-' + typeIndex.get(type) + ')"' : '';
      parts.push('<line id="m' + i + '" x1="' + x0 + '" y1="' + y0 + '" x2="' + x1 + '" y2="' + y1 + '" stroke="'
        + colour + '" stroke-width="1.2"' + dash + marker + '/>' + end);
      segments.push([x0, y0, x1, y1]);
    });
    parts.push('</svg>');
    el.innerHTML = header.join('') + parts.join('');
    el.setAttribute('data-arrows', String(d.messages.length));

    const legend = document.getElementById('diagram-legend');
    typeColour.forEach((colour, type) => {
      const span = document.createElement('span');
      span.innerHTML = '<i style="background:' + colour + '"></i>';
      span.append(type + ' (' + typeCount.get(type) + ')');
      legend.append(span);
    });
    document.getElementById('diagram-note').textContent = 'From ' + d.fromMs + ' to ' + d.toMs
      + ' ms after the clients started (--diagram-window): ' + d.messages.length + ' messages'
      + (d.omitted ? ', ' + d.omitted + ' more not drawn' : '')
      + '. All clients share the first column. Hover over an arrow to see its body; dashed with a cross: dropped.';

    // Hover: the arrow nearest the pointer, within a few pixels.
    const svg = el.querySelector('svg.messages');
    const tooltip = document.getElementById('tooltip');
    let highlighted = null;

    function distance(px, py, [x0, y0, x1, y1]) {
      const dx = x1 - x0;
      const dy = y1 - y0;
      const len = dx * dx + dy * dy;
      const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / len));
      return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
    }

    function pretty(body) {
      try {
        return JSON.stringify(JSON.parse(body), null, 1);
      } catch (e) {
        return body;
      }
    }

    svg.addEventListener('mousemove', e => {
      const r = svg.getBoundingClientRect();
      const px = e.clientX - r.left;
      const py = e.clientY - r.top;
      let best = -1;
      let bestDistance = 6;
      segments.forEach((s, i) => {
        const dist = distance(px, py, s);
        if (dist < bestDistance) {
          bestDistance = dist;
          best = i;
        }
      });
      if (highlighted) {
        highlighted.setAttribute('stroke-width', '1.2');
        highlighted = null;
      }
      if (best < 0) {
        tooltip.hidden = true;
        return;
      }
      const m = d.messages[best];
      highlighted = document.getElementById('m' + best);
      highlighted.setAttribute('stroke-width', '3.5');
      const fate = m[5] !== null ? 'received ' + fmt(m[5], 1) + ' ms (' + fmt(m[5] - m[4], 1) + ' ms later)'
        : m[6] ? 'dropped' : 'not delivered by the end of the run';
      tooltip.textContent = m[2] + ' -> ' + m[3] + '   sent ' + fmt(m[4], 1) + ' ms, ' + fate + '\n' + pretty(m[8]);
      tooltip.hidden = false;
      const tw = tooltip.offsetWidth;
      tooltip.style.left = Math.min(window.innerWidth - tw - 8, e.clientX + 14) + 'px';
      tooltip.style.top = Math.min(window.innerHeight - tooltip.offsetHeight - 8, e.clientY + 14) + 'px';
    });
    svg.addEventListener('mouseleave', () => {
      tooltip.hidden = true;
    });
    markDrawn('diagram');
  })();
})();
