"""Sequences: a language model's loss token by token, per sequence, and the two ways to average."""

from __future__ import annotations

import streamlit as st

from xentui.kit.format import md_literal
from xentui.kit.units import loss_text, perplexity_text
from xentui.sequences.data import PADDING_CHOICES, padding_value
from xentui.sequences.views import (
    heatmap_caption,
    loss_heatmap,
    reductions_sentence,
    sequence_frame,
    worst_tokens_frame,
)
from xentui.session.feedback import show_problems
from xentui.session.sequences import shown_losses
from xentui.session.units import loss_unit
from xentui.your_model.upload import counted

MAX_BYTES = int(st.get_option("server.maxUploadSize")) * 2**20
WORST_TOKENS = 20

st.title("Sequences")
st.caption(
    "Per-token losses of a language model on N sequences: which tokens and sequences carry the "
    "loss, and why the token mean (PyTorch's reduction='mean') is not the mean over sequences. "
    "Sequences and positions are numbered from 1."
)

with st.container(border=True):
    file_col, options_col = st.columns([3, 2], gap="medium")
    with file_col:
        # The return value is dropped: the bytes are read from session state (no extra copy).
        st.file_uploader(
            "Sequences: .npy of target log-probabilities (N, T), or .npz with logits and targets",
            type=["npy", "npz"],
            key="seq_file",
            help="np.save(path, log_probs) with log p(target token) per position, padding as "
            "NaN (or the value chosen beside); or np.savez(path, logits=logits, targets=targets) "
            "with logits (N, T, V) and targets (N, T), ignore_index where nothing counts.",
        )
        file_messages = st.container()
    with options_col:
        st.file_uploader(
            "Mask (optional): .npy of 0/1, (N, T), 1 where the token counts",
            type=["npy"],
            key="seq_mask",
            help="For (N, T) log-probabilities, as 0/1 integers: np.save(path, "
            "mask.astype(np.uint8)). When given, the padding value below is not used.",
        )
        mask_messages = st.container()
        padding = st.selectbox(
            "Padding in a (N, T) array of log-probabilities", PADDING_CHOICES, key="seq_padding"
        )
        ignore_index = int(
            st.number_input(
                "ignore_index of the targets (with logits)",
                value=-100,
                step=1,
                min_value=-(2**31),
                max_value=2**31 - 1,
                key="seq_ignore_index",
            )
        )

shown = shown_losses(
    st.session_state.get("seq_file"),
    st.session_state.get("seq_mask"),
    MAX_BYTES,
    padding_value(padding),
    ignore_index,
)
if shown.problem is not None:
    place = mask_messages if shown.on_mask else file_messages
    show_problems([shown.problem], where=place, icon=":material/warning:")
    earlier = "the generated example" if shown.example else f"still {md_literal(shown.source)}"
    which = "mask" if shown.on_mask else "file"
    st.info(f"Below: {earlier}, until the {which} can be read; fix it above.")
losses = shown.losses

unit = loss_unit()
n, t = losses.token_loss.shape
st.markdown(
    f"**{md_literal(shown.source)}** — {counted(n, 'sequence')} × up to "
    f"{counted(t, 'position')}, {counted(losses.num_tokens, 'token')} counted."
)


def show_losses(losses) -> None:
    """The reductions, the heatmap and the tables of sequences that count at least one token."""
    token_col, sequence_col = st.columns(2)
    token_col.metric(
        "Token mean (PyTorch's reduction='mean')",
        loss_text(losses.token_mean, unit),
        help="Σ loss over counted tokens / number of counted tokens.",
    )
    token_col.caption(f"Perplexity {perplexity_text(losses.token_mean)}")
    sequence_col.metric(
        "Sequence mean",
        loss_text(losses.sequence_mean, unit),
        help="The mean over sequences of each sequence's own mean loss.",
    )
    sequence_col.caption(f"Perplexity {perplexity_text(losses.sequence_mean)}")
    st.markdown(reductions_sentence(losses, unit))

    st.plotly_chart(loss_heatmap(losses, unit), key="seq_heatmap")
    st.caption(heatmap_caption(losses))

    table_col, worst_col = st.columns(2)
    with table_col:
        st.subheader("Sequences, worst first")
        st.dataframe(sequence_frame(losses, unit), hide_index=True, key="seq_table")
    with worst_col:
        st.subheader(f"The {WORST_TOKENS} worst tokens")
        st.dataframe(
            worst_tokens_frame(losses, WORST_TOKENS, unit), hide_index=True, key="seq_worst"
        )


# No st.stop() when nothing counts: the frame's Share control is drawn after the page.
if losses.num_tokens == 0:
    st.warning("No position counts: every one is padding or ignore_index.", icon=":material/info:")
else:
    show_losses(losses)
