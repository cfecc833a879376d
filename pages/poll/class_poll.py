"""Class poll: students give probabilities, are scored by −ln p, and the teacher watches live."""

import streamlit as st

from xentui.session import poll

st.title(":material/groups: Class poll")
st.caption(
    "Be the model: give a probability to every option; the loss is −ln p(right answer). "
    "100% sure and wrong costs without limit; a calibrated guess wins."
)
code, teacher = poll.read_link()
store = poll.reachable_store()
if store is None:
    st.stop()
if teacher:
    found = store.teacher_poll(teacher)
    if found is None:
        st.error(
            "This teacher link controls no poll: check that it was copied whole.",
            icon=":material/link:",
        )
    else:
        poll.teacher_view(found, teacher)
elif code:
    found = store.poll(code)
    if found is None:
        st.error(
            "No poll has this link's code: ask your teacher for the link again.",
            icon=":material/link:",
        )
    else:
        poll.student_view(found)
else:
    poll.creator_view()
