"""Statements of the hot paths, built once per model and database instead of once per call.

The ORM spends 0.3–0.6 ms of Python building each statement and its instances (measured on
the bench machine: an indexed one-row SELECT through ``.first()`` takes ~600 µs, the same
statement through a cursor ~30 µs). A ticket created over the API or from an email runs about
a dozen of them, which alone made the creation rate miss its target. These helpers keep the
ORM's meaning — column names, each field's database preparation and converters, instances
made with ``Model.from_db`` — and cache only the SQL text and the per-field functions.

They cover the simple shapes the write paths need: insert new instances (``insert``,
``insert_many``) and write some fields of a saved one (``update``) — no ``save()`` override
and no signals run, so only for models that have neither, unless the caller does that work —
and read one row by equal columns, optionally with forward foreign keys joined (``first``).
Anything else goes through the ORM. Only an app's store module (``<app>/store.py``) uses them,
and services call the store (an import-linter contract in ``make lint``; decision 0003).

On PostgreSQL their statements, and the other hot ones that take a ``cursor()`` from here, are
bound and prepared by the server (``prepare_threshold`` in ``core.config.postgres_options``):
parsed and planned once per connection, which saved a third of PostgreSQL's CPU per ticket
create. Prepared statements get generic plans, right when every statement finds its rows by
key (as all of these do) and wrong for filters whose best plan depends on the value, which
is why the ORM's own statements stay bound by the client and planned each time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DatabaseError, connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import NOT_PROVIDED
from django.db.models.signals import post_save, pre_save
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, Any], Any]

_inserts: dict[tuple[type[models.Model], str, int, bool, tuple[str, ...]], _Write] = {}
_updates: dict[tuple[type[models.Model], str, tuple[str, ...], bool | str], _Write] = {}
_selects: dict[
    tuple[type[models.Model], str, tuple[str, ...], tuple[str, ...], bool, bool], _Select
] = {}


@dataclass(frozen=True)
class _Write:
    fields: tuple[models.Field[Any, Any], ...]
    sql: str


@dataclass(frozen=True)
class _Table:
    """One model's columns in a SELECT: where they start in the row and how to convert them."""

    model: type[models.Model]
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]
    start: int
    link: models.ForeignKey[Any, Any] | None  # how the main instance points at this one


@dataclass(frozen=True)
class _Select:
    tables: tuple[_Table, ...]
    where: tuple[models.Field[Any, Any], ...]
    sql: str


def cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor for statements that find their rows by key: prepared on PostgreSQL.

    Django's PostgreSQL cursors bind parameters on the client, so nothing is ever prepared;
    this one is psycopg's server-binding cursor (Django's own class for that), wrapped as
    ``connection.cursor()`` wraps its cursors (query logging, execute wrappers).
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    with connection.wrap_database_errors:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        raw = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]  # stubs lack psycopg's signature
    wrapped: CursorWrapper = connection._prepare_cursor(raw)  # type: ignore[attr-defined]  # as connection.cursor() does
    return wrapped


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _quoted(alias: str, name: str | None) -> str:
    assert name is not None
    return str(connections[alias].ops.quote_name(name))


def _check_insertable(model: type[models.Model], own_save: bool) -> None:
    if model.save is not models.Model.save and not own_save:
        raise TypeError(f"{model.__name__} overrides save(); insert it through the ORM")
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        raise TypeError(f"{model.__name__} has save signals; insert it through the ORM")


def _insert_statement(
    model: type[models.Model], alias: str, rows: int, own_save: bool, unless: tuple[str, ...] = ()
) -> _Write:
    key = (model, alias, rows, own_save, unless)
    found = _inserts.get(key)
    if found is not None:
        return found
    _check_insertable(model, own_save)
    meta = model._meta
    fields = tuple(
        field
        for field in meta.local_concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    )
    for field in fields:
        if field.db_default is not NOT_PROVIDED or field.generated:
            raise TypeError(f"{model.__name__}.{field.name}: database defaults are not supported")
    table = _quoted(alias, meta.db_table)
    columns = ", ".join(_quoted(alias, f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    # Quoted names from the model's metadata; every value is a parameter.
    key_column = _quoted(alias, meta.pk.column)
    conflict = ""
    if unless:
        conflict = " ON CONFLICT ({}) DO NOTHING".format(
            ", ".join(_quoted(alias, _field(model, name).column) for name in unless)
        )
    sql = f"INSERT INTO {table} ({columns}) VALUES {values}{conflict} RETURNING {key_column}"  # noqa: S608
    found = _inserts[key] = _Write(fields, sql)
    return found


def insert_many(objs: Sequence[M], *, using: str | None = None, own_save: bool = False) -> None:
    """INSERT new instances of one model in one statement and set their primary keys.

    Values are prepared as ``save()`` prepares them (``pre_save`` fills ``auto_now_add`` and
    the like, then each field's ``get_db_prep_save``). A model that overrides ``save()`` is
    refused unless the caller does that work itself (``own_save=True``).
    """
    if not objs:
        return
    model = type(objs[0])
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    statement = _insert_statement(model, alias, len(objs), own_save)
    params: list[Any] = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]  # as save() does
        for field in statement.fields:
            value = field.pre_save(obj, True)
            params.append(field.get_db_prep_save(value, connection=connection))
    with cursor(connection) as db:
        db.execute(statement.sql, params)
        keys = db.fetchall()
    for obj, (pk,) in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def insert(obj: models.Model, *, using: str | None = None, own_save: bool = False) -> None:
    """INSERT one new instance, as ``obj.save()`` would without signals, and set its key."""
    insert_many([obj], using=using, own_save=own_save)


def insert_unless(
    obj: models.Model,
    *,
    unique: tuple[str, ...],
    using: str | None = None,
    own_save: bool = False,
) -> bool:
    """INSERT ``obj`` unless a row with its values of the ``unique`` fields (a unique
    constraint) exists: ``ON CONFLICT DO NOTHING``, one statement and no savepoint to recover
    from an IntegrityError inside a transaction. Whether it was inserted (its key then set)."""
    model = type(obj)
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    statement = _insert_statement(model, alias, 1, own_save, unique)
    obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]  # as save() does
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection=connection)
        for field in statement.fields
    ]
    with cursor(connection) as db:
        db.execute(statement.sql, params)
        found = db.fetchone()
    if found is None:
        return False
    obj.pk = found[0]
    obj._state.adding = False
    obj._state.db = alias
    return True


def update(
    obj: models.Model, fields: Sequence[str], *, using: str | None = None, own_save: bool = False
) -> None:
    """``obj.save(update_fields=fields)`` without signals: UPDATE those columns by primary key.

    ``pre_save`` runs as in ``save()``, so an ``auto_now`` field among ``fields`` is stamped;
    as ``save()`` does, no fields is no statement and a row that is gone raises.
    """
    if not fields:
        return
    model = type(obj)
    alias = using or obj._state.db or router.db_for_write(model)
    connection = connections[alias]
    key = (model, alias, tuple(fields), own_save)
    statement = _updates.get(key)
    if statement is None:
        _check_insertable(model, own_save)
        statement = _updates[key] = _update_statement(model, alias, fields)
    params = [
        field.get_db_prep_save(field.pre_save(obj, False), connection=connection)
        for field in statement.fields
    ]
    with cursor(connection) as db:
        db.execute(statement.sql, [*params, obj.pk])
        if db.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")


def _update_statement(model: type[models.Model], alias: str, names: Sequence[str]) -> _Write:
    columns = tuple(_field(model, name) for name in names)
    assignments = ", ".join(f"{_quoted(alias, f.column)} = %s" for f in columns)
    table = _quoted(alias, model._meta.db_table)
    where = _quoted(alias, model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {where} = %s"  # noqa: S608  (as above)
    return _Write(columns, sql)


def update_values(
    model: type[models.Model], pk: Any, values: Mapping[str, Any], *, using: str | None = None
) -> int:
    """UPDATE the columns named in ``values`` of the row ``pk`` of ``model``; rows hit (0 or 1).

    For a write that has the values but not the instance (derived columns mirrored from another
    app's rows). The statement is built once per set of names; values are prepared as ``save()``
    prepares them. No signals, no ``pre_save``: nothing is stamped that ``values`` does not say.
    """
    if not values:
        return 0
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    names = tuple(values)
    key = (model, alias, names, "values")
    statement = _updates.get(key)
    if statement is None:
        statement = _updates[key] = _update_statement(model, alias, names)
    params = [
        field.get_db_prep_save(values[field.name], connection=connection)
        for field in statement.fields
    ]
    with cursor(connection) as db:
        db.execute(statement.sql, [*params, pk])
        return int(db.rowcount)


def _table(
    model: type[models.Model], alias: str, start: int, link: models.ForeignKey[Any, Any] | None
) -> _Table:
    connection = connections[alias]
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        col = field.cached_col
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((start + index, tuple(found), col))
    return _Table(model, tuple(f.attname for f in fields), tuple(converters), start, link)


def _select_statement(
    model: type[models.Model],
    alias: str,
    columns: tuple[str, ...],
    related: tuple[str, ...],
    for_update: bool,
    limit_one: bool = True,
) -> _Select:
    key = (model, alias, columns, related, for_update, limit_one)
    found = _selects.get(key)
    if found is not None:
        return found
    meta = model._meta
    tables = [_table(model, alias, 0, None)]
    joins = []
    for index, name in enumerate(related, start=1):
        link = meta.get_field(name)
        if not isinstance(link, models.ForeignKey):
            raise TypeError(f"{model.__name__}.{name} is not a foreign key")
        target = link.related_model
        assert isinstance(target, type)
        tables.append(_table(target, alias, sum(len(t.attnames) for t in tables), link))
        joins.append(
            f" LEFT JOIN {_quoted(alias, target._meta.db_table)} t{index}"
            f" ON t{index}.{_quoted(alias, link.target_field.column)}"
            f" = t0.{_quoted(alias, link.column)}"
        )
    selected = ", ".join(
        f"t{n}.{_quoted(alias, f.column)}"
        for n, table in enumerate(tables)
        for f in table.model._meta.concrete_fields
    )
    where_fields = tuple(_field(model, c) for c in columns)
    where = " AND ".join(f"t0.{_quoted(alias, f.column)} = %s" for f in where_fields)
    table = _quoted(alias, meta.db_table)
    # Quoted names from the models' metadata; every value is a parameter.
    sql = f"SELECT {selected} FROM {table} t0{''.join(joins)} WHERE {where}"  # noqa: S608
    sql += " LIMIT 1" if limit_one else f" ORDER BY t0.{_quoted(alias, meta.pk.column)}"
    if for_update and connections[alias].features.has_select_for_update:
        sql += " FOR UPDATE"
    found = _selects[key] = _Select(tuple(tables), where_fields, sql)
    return found


def first(
    model: type[M],
    *,
    related: tuple[str, ...] = (),
    for_update: bool = False,
    using: str | None = None,
    **equals: Any,
) -> M | None:
    """The first row whose columns equal ``equals`` (any row when several match), or None.

    ``related`` names forward foreign keys loaded in the same statement, as
    ``select_related`` would. Values are compared as given: pass what the column holds.
    ``for_update`` locks the row until commit where the database has row locks (not with
    ``related``: PostgreSQL would lock the joined rows too).
    """
    alias = using or (router.db_for_write(model) if for_update else router.db_for_read(model))
    connection = connections[alias]
    if for_update and (related or connection.get_autocommit()):
        raise TransactionManagementError("first(for_update=True): one table, in a transaction")
    statement = _select_statement(model, alias, tuple(sorted(equals)), related, for_update)
    with cursor(connection) as db:
        db.execute(statement.sql, _where_params(statement, equals, connection))
        row = db.fetchone()
    if row is None:
        return None
    found: M = _instance(statement, alias, row)
    return found


def every(model: type[M], *, using: str | None = None, **equals: Any) -> list[M]:
    """Every row whose columns equal ``equals``, by primary key: for the few rows a key has
    (a ticket's timers), where the ORM's query building costs more than the read."""
    alias = using or router.db_for_read(model)
    connection = connections[alias]
    statement = _select_statement(model, alias, tuple(sorted(equals)), (), False, limit_one=False)
    with cursor(connection) as db:
        db.execute(statement.sql, _where_params(statement, equals, connection))
        found = db.fetchall()
    return [_instance(statement, alias, row) for row in found]


def _where_params(
    statement: _Select, equals: Mapping[str, Any], connection: BaseDatabaseWrapper
) -> list[Any]:
    """``equals``' values in the order of the statement's WHERE (sorted by the names given,
    which may be ``pk`` or a foreign key's ``<name>_id``), prepared as the column holds them."""
    names = sorted(equals)
    return [
        field.get_db_prep_value(equals[name], connection)
        for name, field in zip(names, statement.where, strict=True)
    ]


def _instance(statement: _Select, alias: str, row: Sequence[Any]) -> Any:
    """The model instance of one selected row (with its ``related`` rows cached on it)."""
    connection = connections[alias]
    values = list(row)
    for table in statement.tables:
        for index, converters, col in table.converters:
            for convert in converters:
                values[index] = convert(values[index], col, connection)
    main = statement.tables[0]
    obj = main.model.from_db(alias, main.attnames, values[: len(main.attnames)])
    for table in statement.tables[1:]:
        assert table.link is not None
        chunk = values[table.start : table.start + len(table.attnames)]
        linked = None if chunk[0] is None else table.model.from_db(alias, table.attnames, chunk)
        table.link.set_cached_value(obj, linked)
    return obj
