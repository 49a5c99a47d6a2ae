"""Property tests: the analyzers never crash, and indexing and querying agree word by word."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.analysis import AnalyzerName, analyze, get_analyzer

NAMES = [a.value for a in AnalyzerName]
# Text that hits the identifier patterns often: Swedish letters, digits, separators, § and spaces.
SWEDISH_ISH = st.text(
    alphabet=st.sampled_from(list("abcdeklnorståäöKSDnr0123456789 -/:.,()§@–\u00a0")), max_size=40
)
ANY_TEXT = st.one_of(st.text(max_size=60), SWEDISH_ISH)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=ANY_TEXT, name=st.sampled_from(NAMES), mode=st.sampled_from(["index", "query"]))
def test_analyzers_never_crash(text: str, name: str, mode: str) -> None:
    tokens = list(get_analyzer(name)(text, positions=True, chars=True, mode=mode))
    assert all(isinstance(t.text, str) for t in tokens)


@SETTINGS
@given(text=ANY_TEXT, name=st.sampled_from(NAMES))
def test_query_tokens_of_a_word_are_among_its_index_tokens(text: str, name: str) -> None:
    for word in text.split():
        queried = set(analyze(word, name, mode="query"))
        indexed = set(analyze(word, name, mode="index"))
        assert queried <= indexed, (word, queried - indexed)


@SETTINGS
@given(text=ANY_TEXT)
def test_positions_never_go_backwards(text: str) -> None:
    for name in NAMES:
        positions = [t.pos for t in get_analyzer(name)(text, positions=True, mode="index")]
        assert positions == sorted(positions)


@SETTINGS
@given(text=ANY_TEXT)
def test_char_offsets_stay_inside_the_text(text: str) -> None:
    for t in get_analyzer("exact")(text, positions=True, chars=True, mode="index"):
        assert 0 <= t.startchar <= t.endchar <= len(text)
