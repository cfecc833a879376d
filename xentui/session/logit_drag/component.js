// The Playground's logit drag: one slider per class of one sample, and in the page, within the
// frame, the softmax bars, p(target) on the −log p curve and the sample's loss.
//
// Streamlit calls the default export on mount and again whenever the data from Python changes.
// Everything the reader supplied (class names above all) arrives as that data and is written
// with textContent or as attribute values, never parsed as HTML. The server stays the source of
// truth: a drag only previews until its release, which is reported once (setTriggerValue) and
// comes back as the scenario the server loaded.
//
// `preview` repeats xentcore's arithmetic for one row (xentcore/_kernel.py, xentcore/softmax.py):
// in float32 every step is rounded with Math.fround, as NumPy rounds each float32 operation.

const SVG = "http://www.w3.org/2000/svg";
const LN2 = Math.LN2;
const CURVE = { width: 260, height: 120, left: 30, right: 8, top: 8, bottom: 20 };
// A row the server has not answered yet is kept for this long, then the server's data wins.
const PENDING_MS = 15000;

const views = new WeakMap(); // parentElement → the view built in it

/** Python's fmt (xentui/kit/format.py): 4 decimals, scientific below 1e-3 and from 1e6. */
export function fmt(value, digits = 4) {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  const magnitude = Math.abs(value);
  if (magnitude === 0 || (magnitude >= 10 ** -(digits - 1) && magnitude < 1e6)) {
    return fixedHalfEven(value, digits);
  }
  const [mantissa, exponent] = value.toExponential(digits).split("e");
  const sign = exponent.startsWith("-") ? "-" : "+";
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
}

function fixedHalfEven(value, digits) {
  // toFixed breaks an exact tie away from zero (1/32 → 0.0313), Python to the even digit. The
  // exact decimal expansion of a double in [1e-3, 1e6) ends within 100 digits, so a tie is seen.
  const exact = Math.abs(value).toFixed(100);
  const cut = exact.indexOf(".") + 1 + digits;
  const truncated = exact.slice(0, cut);
  if (/^50*$/.test(exact.slice(cut)) && Number(truncated.at(-1)) % 2 === 0) {
    return (value < 0 ? "-" : "") + truncated;
  }
  return value.toFixed(digits);
}

/** A logit as the editor writes it: short, six significant digits at most. */
function logitText(value) {
  return String(Number(value.toPrecision(6)));
}

/**
 * What xentcore computes for one sample: softmax, the loss as reduction="none" returns it,
 * and p of the target class (the dominant class of a smoothed or probability target).
 */
export function preview(data, row) {
  const f = data.precision === "float32" ? Math.fround : (v) => v;
  const c = row.length;
  const eps = data.label_smoothing;
  const t = f(data.temperature);
  const x = row.map((v) => (data.temperature === 1 ? f(v) : f(f(v) / t)));
  const peak = Math.max(...x);
  const shifted = x.map((v) => f(v - peak));
  const e = shifted.map((v) => f(Math.exp(v)));
  const total = e.reduce((s, v) => f(s + v), 0);
  const probabilities = e.map((v) => f(v / total));
  const lse = f(Math.log(total));
  const weight = data.weights === null ? null : data.weights.map(f);
  const scale = weight ?? row.map(() => 1);
  const target = data.target;
  let base;
  let loss;
  if (target.kind === "probabilities") {
    const q = target.row.map(f);
    base = target.row;
    const qw = q.map((v, k) =>
      eps > 0 ? f(f(f(v * f(1 - eps)) + f(eps / c)) * scale[k]) : f(v * scale[k]),
    );
    const dot = qw.reduce((s, v, k) => f(s + f(v * shifted[k])), 0);
    const mass = qw.reduce((s, v) => f(s + v), 0);
    loss = f(f(lse * mass) - dot);
  } else {
    base = row.map((_, k) => (k === target.index ? 1 : 0));
    loss = f(lse - shifted[target.index]);
    if (weight !== null) loss = f(loss * weight[target.index]);
    if (eps > 0) {
      const weighted = shifted.reduce((s, v, k) => f(s + f(v * scale[k])), 0);
      const wTotal = f(weight === null ? c : weight.reduce((s, v) => f(s + v), 0));
      const smooth = f(f(wTotal * lse) - weighted);
      loss = f(f(f(1 - eps) * loss) + f(f(eps / c) * smooth));
    }
    if (target.kind === "ignored") loss = 0;
  }
  // The class the curve follows: argmax of (1 − ε)·y + ε/C, the first of equals, as NumPy's.
  const distribution = base.map((y) => (1 - eps) * y + eps / c);
  const dominant = distribution.indexOf(Math.max(...distribution));
  return { probabilities, loss, dominant, targetProbability: probabilities[dominant] };
}

function inUnit(lossNats, unit) {
  return unit === "bits" ? lossNats / LN2 : lossNats;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgElement(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function build(parentElement, data) {
  const root = parentElement.querySelector(".xd");
  root.replaceChildren();
  const title = element("p", "xd-title");
  const note = element("p", "xd-note");
  note.setAttribute("role", "status");
  const rows = element("div", "xd-rows");
  root.setAttribute("role", "group");
  const sliders = data.classes.map((name, c) => {
    const line = element("div", "xd-row");
    line.dataset.class = String(c);
    const label = element("label", "xd-label");
    label.append(element("span", "xd-name", name));
    const slider = document.createElement("input");
    slider.type = "range";
    slider.step = "0.01";
    slider.className = "xd-slider";
    label.append(slider);
    const logit = element("output", "xd-logit");
    const bar = element("div", "xd-bar");
    const fill = element("div", "xd-fill");
    bar.append(fill);
    const probability = element("output", "xd-p");
    line.append(label, logit, bar, probability);
    rows.append(line);
    return { slider, logit, fill, probability, line };
  });
  const chart = svgElement("svg", {
    class: "xd-curve",
    viewBox: `0 0 ${CURVE.width} ${CURVE.height}`,
    role: "img",
  });
  const axes = svgElement("path", { class: "xd-axes", fill: "none" });
  const uniform = svgElement("line", { class: "xd-uniform" });
  const curve = svgElement("polyline", { class: "xd-line", fill: "none" });
  const point = svgElement("circle", { class: "xd-point", r: 5 });
  const yTop = svgElement("text", { class: "xd-tick", x: CURVE.left - 4, y: CURVE.top + 8 });
  const xLabel = svgElement("text", {
    class: "xd-tick",
    x: CURVE.width - CURVE.right,
    y: CURVE.height - 4,
  });
  xLabel.textContent = "p(target) → 1";
  const yLabel = svgElement("text", {
    class: "xd-tick xd-start",
    x: CURVE.left + 6,
    y: CURVE.top + 8,
  });
  chart.append(axes, uniform, curve, point, yTop, xLabel, yLabel);
  const summary = element("p", "xd-summary");
  const pTarget = element("output", "xd-ptarget");
  const loss = element("output", "xd-loss");
  summary.append("p(target) = ", pTarget, " · loss = ", loss);
  root.append(title, note, rows, chart, summary);
  const parts = { root, title, note, sliders, chart, axes, uniform, curve, point };
  return { ...parts, yTop, yLabel, pTarget, loss };
}

function curveScale(view, data, pointNats) {
  // The y axis reaches past ln C and the point (up to a cap): a huge −log p sits at the top.
  const uniform = Math.log(data.classes.length);
  const top = Math.min(Math.max(4, 1.25 * uniform, 1.15 * pointNats), 30);
  if (view.top === top && view.unit === data.unit) return;
  view.top = top;
  view.unit = data.unit;
  const { width, height, left, right, top: pad, bottom } = CURVE;
  const w = width - left - right;
  const h = height - pad - bottom;
  view.toX = (p) => left + p * w;
  view.toY = (nats) => pad + (1 - Math.min(nats, top) / top) * h;
  const points = [];
  for (let i = 0; i <= 120; i += 1) {
    const p = Math.max(i / 120, Math.exp(-top));
    points.push(`${view.toX(p).toFixed(1)},${view.toY(-Math.log(p)).toFixed(1)}`);
  }
  view.curve.setAttribute("points", points.join(" "));
  view.axes.setAttribute("d", `M${left},${pad}V${pad + h}H${left + w}`);
  const level = view.toY(uniform);
  for (const [name, value] of [
    ["x1", left],
    ["x2", left + w],
    ["y1", level],
    ["y2", level],
  ]) {
    view.uniform.setAttribute(name, value.toFixed(1));
  }
  view.yTop.textContent = fmt(inUnit(top, data.unit), 1);
  view.yLabel.textContent = `−log p (${data.unit})`;
}

function show(view, data) {
  const row = view.row;
  const result = preview(data, row);
  result.probabilities.forEach((p, c) => {
    const { slider, logit, fill, probability, line } = view.sliders[c];
    if (Number(slider.value) !== row[c]) slider.value = String(row[c]);
    logit.textContent = logitText(row[c]);
    slider.setAttribute("aria-valuetext", `${logitText(row[c])}, p = ${fmt(p)}`);
    logit.dataset.value = String(row[c]);
    fill.style.width = `${(100 * p).toFixed(2)}%`;
    probability.textContent = fmt(p);
    probability.dataset.value = String(p);
    line.classList.toggle("xd-target", c === result.dominant);
  });
  const lossNats = result.loss;
  curveScale(view, data, -Math.log(result.targetProbability));
  const p = Math.max(result.targetProbability, Number.MIN_VALUE);
  view.point.setAttribute("cx", view.toX(p).toFixed(2));
  view.point.setAttribute("cy", view.toY(-Math.log(p)).toFixed(2));
  view.pTarget.textContent = fmt(result.targetProbability);
  view.pTarget.dataset.value = String(result.targetProbability);
  view.loss.textContent = `${fmt(inUnit(lossNats, data.unit))} ${data.unit}`;
  view.loss.dataset.value = String(lossNats);
  view.root.dataset.painted = String(performance.now());
}

function adopt(view, data) {
  // The server's row and options: the sliders centre on the row, ±span around each logit.
  view.data = data;
  view.base = data.logits.slice();
  view.row = data.logits.slice();
  view.title.textContent = data.title;
  view.note.textContent = data.disabled ?? "";
  view.note.hidden = !data.disabled;
  view.root.setAttribute("aria-label", data.title);
  view.chart.setAttribute("aria-label", `−log p curve with p(target) of ${data.label}`);
  view.sliders.forEach(({ slider }, c) => {
    const value = data.logits[c];
    slider.min = String(Math.max(value - data.span, -data.limit));
    slider.max = String(Math.min(value + data.span, data.limit));
    slider.value = String(value);
    slider.disabled = Boolean(data.disabled);
  });
  show(view, data);
}

function listen(view, setTriggerValue) {
  view.sliders.forEach(({ slider }, c) => {
    // `input` on every movement: the preview only, in this frame. `change` on release (pointer
    // up, or each key press): the row goes to the server once.
    // While the pointer holds a thumb, data from the server waits: it would move the thumb.
    slider.onpointerdown = () => {
      view.dragging = true;
    };
    slider.onpointerup = slider.onpointercancel = () => {
      view.dragging = false;
      // After this event comes `change`, if the value moved; without one, the waiting data wins.
      window.setTimeout(() => {
        if (!view.dragging && !view.pending && view.latest) accept(view, view.latest);
      }, 0);
    };
    slider.oninput = () => {
      view.row[c] = Number(slider.value);
      show(view, view.data);
    };
    slider.onchange = () => {
      view.row[c] = Number(slider.value);
      const nonce = `${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
      view.pending = { nonce, at: performance.now() };
      setTriggerValue("released", {
        sample: view.data.sample,
        base: view.base,
        logits: view.row.slice(),
        nonce,
      });
      window.clearTimeout(view.timer);
      view.timer = window.setTimeout(() => {
        if (view.pending?.nonce === nonce && view.latest) accept(view, view.latest);
      }, PENDING_MS);
    };
  });
}

function accept(view, data) {
  view.pending = null;
  view.latest = null;
  adopt(view, data);
}

export default function component({ data, parentElement, setTriggerValue }) {
  let view = views.get(parentElement);
  const structure = JSON.stringify(data.classes);
  if (view === undefined || view.structure !== structure) {
    view = build(parentElement, data);
    view.structure = structure;
    views.set(parentElement, view);
    accept(view, data);
  } else if (view.dragging || (view.pending && data.echo !== view.pending.nonce)) {
    // Mid-drag, or from a run that started before the last release (whose answer is coming).
    view.latest = data;
  } else {
    accept(view, data);
  }
  listen(view, setTriggerValue);
}
