"""Timing the Playground's logit drag in a browser: from a slider's input to the next frame.

Shared by the drag's browser test and benchmarks/drag_latency.py, so that both time the same way.
"""

from __future__ import annotations

__all__ = ["SLIDER", "input_to_frame_ms"]

SLIDER = ".xd-slider"  # a class's slider inside the drag component

# Alternating: a synthetic input timed to the animation frame after the component's update (a
# rAF, then a task: past the paint), and the same wait with no input, the frame floor. In ms.
TIME_INPUTS = """async (slider, count) => {
    const loss = slider.getRootNode().querySelector('.xd-loss');
    const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    const drags = [];
    const floors = [];
    for (let i = 0; i < count; i += 1) {
        const before = loss.textContent;
        let start = performance.now();
        slider.value = String(Number(slider.min) + 0.5 + (i % 19));
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        if (loss.textContent === before) throw new Error('the preview did not follow input ' + i);
        await frame();
        drags.push(performance.now() - start);
        start = performance.now();
        await frame();
        floors.push(performance.now() - start);
    }
    return { drags, floors };
}"""


def input_to_frame_ms(page, count: int = 25) -> dict[str, list[float]]:
    """`count` inputs on the first slider: {"drags": input → frame, "floors": frame alone}."""
    return page.locator(SLIDER).first.evaluate(TIME_INPUTS, count)
