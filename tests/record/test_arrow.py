"""Arrow batches built from buffers are pyarrow's own conversion of the records, value for value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.record import fast
from archivekit.record.model import Record
from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes
from bench.generate import make_record
from tests.strategies import records
from tests.support import arrow_reference

pa = pytest.importorskip("pyarrow")

from archivekit.record.arrow import ARROW_SCHEMA, record_batch, record_batches  # noqa: E402

_NULLABLE = st.builds(
    lambda record, no_date, no_count: record.model_copy(
        update={"date": None if no_date else record.date},
    ).model_copy(update={"word_count": None if no_count else record.word_count}),
    records(),
    st.booleans(),
    st.booleans(),
)


def _same(batch: Any, items: list[Record]) -> None:
    batch.validate(full=True)  # offsets, UTF-8, null counts: a well-formed batch
    assert batch.schema.equals(ARROW_SCHEMA, check_metadata=True)
    reference = arrow_reference(items)
    assert batch.equals(reference)
    assert batch.to_pylist() == reference.to_pylist()


@pytest.mark.property
@given(st.lists(st.tuples(st.one_of(records(), _NULLABLE), st.booleans()), max_size=12))
def test_records_and_canonical_fields_mixed_make_pyarrows_own_batch(
    drawn: list[tuple[Record, bool]],
) -> None:
    """Each record goes in whole, or (when canonical) as the fields fast.check gives, in order."""
    items = [record for record, _ in drawn]
    entries: list[Record | fast.Fields] = []
    for record, as_fields in drawn:
        fields = fast.check(dump_bytes(record)) if as_fields and record.date is not None else None
        if fields is not None:
            # The fields are the record's: the full parser reads the same record back.
            assert parse(dump_bytes(record)).record == record
        entries.append(record if fields is None else fields)
    _same(record_batch(entries), items)


def test_generated_records_as_fields_and_as_records() -> None:
    items = [make_record(number) for number in range(300)]
    fields = [fast.check(dump_bytes(record)) for record in items]
    assert all(found is not None for found in fields)
    _same(record_batch([found for found in fields if found is not None]), items)
    _same(record_batch(items), items)
    _same(record_batch([]), [])


def test_over_2_gib_of_strings_is_split_into_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A string column's 32-bit offsets hold 2 GiB: more in one batch is cut, in order."""
    from archivekit.record import arrow

    monkeypatch.setattr(arrow, "_STRING_BYTES", 1000)  # 1000 bytes stand for 2 GiB
    items = [make_record(number) for number in range(40)]  # URLs of ~80 bytes each
    batches = record_batches(items)
    assert len(batches) > 1
    assert pa.Table.from_batches(batches).to_pylist() == arrow_reference(items).to_pylist()
    with pytest.raises(pa.ArrowCapacityError):
        record_batch(items)
