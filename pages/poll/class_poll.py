"""Class poll: students give probabilities, are scored by −ln p, and the teacher watches live."""

import streamlit as st

from xentui.session import poll

st.title(":material/groups: Class poll")
st.caption(
    "Be the model: give a probability to every option; the loss is −ln p(right answer). "
    "100% sure and wrong costs without limit; a calibrated guess wins."
)
NOT_FOUND = {
    True: "This teacher link controls no poll: check that it was copied whole.",
    False: "No poll has this link's code: ask your teacher for the link again.",
}
# No st.stop(): the frame's Share control is drawn after the page.
code, teacher = poll.read_link()
store = poll.reachable_store()
if store is None:
    pass  # reachable_store said why
elif not (teacher or code):
    poll.creator_view()
elif (found := store.teacher_poll(teacher) if teacher else store.poll(code)) is None:
    st.error(NOT_FOUND[bool(teacher)], icon=":material/link:")
elif teacher:
    poll.teacher_view(found, teacher)
else:
    poll.student_view(found)
