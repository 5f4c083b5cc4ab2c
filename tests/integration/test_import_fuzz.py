"""Good Shopify order rows mixed with CSV junk: every good order is imported, every junk record is reported at
its line, and nothing crashes."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from goodword.stores.orders import get_order
from goodword.stores.stores import create_store
from tests.integration.importing import import_bytes, rejected_lines

HEADER = (
    b"Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price\n"
)
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass(frozen=True)
class Chunk:
    """Some lines of the file: a good order (`good` is its name) or one junk record."""

    content: bytes
    good: str | None = None

    @property
    def line_count(self) -> int:
        return self.content.count(b"\n")


def good_order(index: int, line_items: int) -> Chunk:
    first = f"#G{index},g{index}@example.com,paid,USD,{line_items * 2}.50,2024-03-01 10:15:00 +0100"
    rows = [first] + [f"#G{index},,,,," for _ in range(line_items - 1)]
    body = "".join(f'{row},1,"Tea\nno. {n}",2.50\n' for n, row in enumerate(rows))
    return Chunk(body.encode(), good=f"#G{index}")


# Junk never holds an unbalanced quote or a bare newline, so it cannot swallow the good rows around it.
_junk_bytes = st.binary(max_size=40).map(
    lambda raw: b"\xff" + raw.replace(b"\n", b"").replace(b"\r", b"").replace(b'"', b"") + b"\n"
)
_junk = st.one_of(
    _junk_bytes,
    st.integers(1, 20).filter(lambda n: n != 9).map(lambda n: (",".join(["x"] * n) + "\n").encode()),
    st.sampled_from(["12.3.4", "abc", "-5.00", "1e400", "1.234", ""]).map(
        lambda total: f"#B,b@example.com,paid,USD,{total},2024-03-01 10:15:00 +0100,1,Tea,1.00\n".encode()
    ),
    st.sampled_from(["yesterday", "2024-13-01 10:00:00", "01/03/2024", ""]).map(
        lambda date: f"#B,b@example.com,paid,USD,1.00,{date},1,Tea,1.00\n".encode()
    ),
    st.just(b'"quoted\nacross, lines",too,few\n'),
    st.just(b"#B,b@example.com,paid,USD,1.00,2024-03-01 10:15:00 +0100,0,Tea,1.00\n"),
)


@st.composite
def mixed_files(draw: st.DrawFn) -> list[Chunk]:
    plan = draw(st.lists(st.one_of(st.integers(1, 3), _junk), min_size=1, max_size=25))
    chunks = []
    for index, entry in enumerate(plan):
        if isinstance(entry, int):
            chunks.append(good_order(index, entry))
        else:
            # Each junk order gets its own name, so no two of them group into one order.
            chunks.append(Chunk(entry.replace(b"#B,", f"#B{index},".encode())))
    return chunks


@FUZZ
@given(chunks=mixed_files(), chunk_size=st.sampled_from([1, 3, 1000]))
def test_good_orders_are_imported_and_junk_is_reported_by_line(
    session: Session, chunks: list[Chunk], chunk_size: int
) -> None:
    # given
    store = create_store(session, name="Fuzz")
    junk_lines, line = [], 2
    for chunk in chunks:
        if chunk.good is None:
            junk_lines.append(line)
        line += chunk.line_count
    content = HEADER + b"".join(chunk.content for chunk in chunks)

    # when
    report = import_bytes(session, store.id, "shopify-orders", content, chunk_size=chunk_size)

    # then
    good = [chunk.good for chunk in chunks if chunk.good is not None]
    assert report.created == len(good)
    assert rejected_lines(report) == junk_lines
    for name in good:
        assert get_order(session, store_id=store.id, external_id=name).total_minor > 0


@FUZZ
@given(body=st.binary(max_size=300))
def test_arbitrary_bytes_after_the_header_never_crash_the_import(session: Session, body: bytes) -> None:
    store = create_store(session, name="Fuzz")

    report = import_bytes(session, store.id, "shopify-orders", HEADER + body)

    assert report.created + len(report.rejected) <= report.rows_read + 1
