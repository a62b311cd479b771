"""What /api/v1/docs shows, read from the API's OpenAPI description (the dict
`/api/v1/openapi.json` serves): its sections by tag, each operation with who may call it, its
parameters, bodies, responses and errors, the webhooks and the schemas (`reference`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from shop.api.docs_text import inline, render_text
from shop.integrations.keys import role_label

METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
# How deep nested objects are spelled out in a table of fields (deeper ones link to their schema).
MAX_DEPTH = 4
# flask-smorest's own schema for page-number paging, which this API does not use.
UNUSED_BUILTINS = frozenset({"PaginationMetadata"})
MISSING = object()
# The titles of the API's blueprints' tags, in the reader's language (any other tag is titled
# from its name).
TAG_TITLES = {
    "api_catalog": _l("Catalog"),
    "api_partners": _l("Partners: prices and deliveries"),
    "api_partner_orders": _l("Partners: orders"),
    "api_partner_accounts": _l("Partners: invoices and statements"),
    "api_partner_standing": _l("Partners: standing orders"),
    "api_producer_stock": _l("Producers: stock"),
    "api_producer_shipments": _l("Producers: shipments"),
}
# What an error status means in this API (the description's paragraph on errors, per status).
STATUS_MEANINGS = {
    "400": _l("The body is not valid JSON."),
    "401": _l("No key was sent, or it is unknown or revoked."),
    "403": _l("The key's role may not do this."),
    "404": _l("No such object, or it is not your organisation's."),
    "409": _l("The stock changed since you read it, or an idempotency key was used with another body."),
    "422": _l("Well formed, but it breaks a rule; `details` names the fields."),
    "429": _l("Too many requests: wait the seconds in `Retry-After`, then try again."),
    "default": _l("Any other error, with the same shape."),
}


@dataclass
class FieldRow:
    """One field of a schema, or one parameter or header."""

    name: str
    type: Markup
    required: bool = False
    description: Markup = field(default_factory=Markup)
    example: str | None = None
    constraints: list[Markup] = field(default_factory=list)
    depth: int = 0
    location: str | None = None  # parameters: path, query, header, cookie


@dataclass
class Body:
    """A schema shown with its fields and an example: a request body, a response, a component."""

    type: Markup
    schema_name: str | None
    fields: list[FieldRow]
    example: str | None
    media_type: str | None = None
    description: Markup = field(default_factory=Markup)


@dataclass
class Response:
    status: str
    description: Markup
    body: Body | None
    headers: list[FieldRow]

    @property
    def meaning(self) -> Markup | None:
        """What the status means in this API, in the reader's language (errors only)."""
        meaning = STATUS_MEANINGS.get(self.status) if self.is_error else None
        return inline(meaning) if meaning is not None else None

    @property
    def is_error(self) -> bool:
        return self.status == "default" or self.status[:1] in ("4", "5")

    @property
    def is_error_shape(self) -> bool:
        """An error answered with the API's one error shape (shown once, in its own section)."""
        return self.is_error and self.body is not None and self.body.schema_name == "Error" and not self.headers


@dataclass
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: Markup
    deprecated: bool
    needs_key: bool
    roles: list[tuple[str, str]]
    parameters: list[FieldRow]
    request_body: Body | None
    body_required: bool
    responses: list[Response]
    webhook: bool = False

    @property
    def short_path(self) -> str:
        """The path without the API's prefix (/api/v1), for the contents."""
        prefix = "/api/v1/"
        return self.path[len(prefix) - 1 :] if self.path.startswith(prefix) else self.path

    @property
    def results(self) -> list[Response]:
        return [r for r in self.responses if not r.is_error_shape]

    @property
    def errors(self) -> list[Response]:
        return [r for r in self.responses if r.is_error_shape]


@dataclass
class Section:
    anchor: str
    title: str
    description: Markup
    operations: list[Operation]


@dataclass
class Page:
    title: str
    version: str
    description: Markup
    sections: list[Section]
    webhooks: Section | None
    error: Body | None
    schemas: list[tuple[str, str, Body]]  # name, anchor, what it is
    openapi_url: str

    @property
    def operation_count(self) -> int:
        return sum(len(section.operations) for section in self.sections)


def reference(spec: dict) -> Page:
    """What the page shows of the OpenAPI description `spec`."""
    reader = Reader(spec)
    info = spec.get("info") or {}
    sections = reader.sections()
    webhooks = reader.webhooks()
    error = reader.body({"$ref": "#/components/schemas/Error"}) if "Error" in reader.components else None
    return Page(
        title=str(info.get("title") or ""),
        version=str(info.get("version") or ""),
        description=render_text(info.get("description")),
        sections=sections,
        webhooks=webhooks,
        error=error,
        schemas=[
            # Each schema's own fields: the objects in it link to their own schema.
            (name, schema_anchor(name), reader.body({"$ref": f"#/components/schemas/{name}"}, max_depth=1))
            for name in reader.shown_schemas()
        ],
        openapi_url=url_for("api-docs.openapi_json"),
    )


def anchor_for(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "-", "-".join(parts)).strip("-")


def schema_anchor(name: str) -> str:
    return anchor_for("schema", name)


def example_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _code(text) -> Markup:
    return Markup("<code>{}</code>").format(text)


def _value(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class Reader:
    """Reads one OpenAPI 3 description: follows its `$ref`s and spells out its schemas."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.components = ((spec.get("components") or {}).get("schemas")) or {}

    # References

    def deref(self, node):
        """`node` with its `$ref`s followed (within the document)."""
        seen = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/"):
                return {}
            seen.add(ref)
            target = self.spec
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
            node = target if isinstance(target, dict) else {}
        return node if isinstance(node, dict) else {}

    def resolve(self, schema) -> tuple[dict, str | None]:
        """The schema behind `schema` (references followed, `allOf` merged) and the name of the
        component it is, if any. Keywords beside a lone `allOf` (an example, a description) win."""
        if not isinstance(schema, dict):
            return {}, None
        name = None
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
        resolved = self.deref(schema)
        parts = resolved.get("allOf")
        if isinstance(parts, list) and parts:
            merged: dict = {}
            properties: dict = {}
            required: list = []
            part_names = []
            for part in parts:
                inner, inner_name = self.resolve(part)
                part_names.append(inner_name)
                properties.update(inner.get("properties") or {})
                required.extend(inner.get("required") or [])
                merged.update({k: v for k, v in inner.items() if k not in ("properties", "required")})
            if properties:
                merged["properties"] = properties
            if required:
                merged["required"] = required
            merged.update({k: v for k, v in resolved.items() if k != "allOf"})
            resolved = merged
            if name is None and len(parts) == 1:
                name = part_names[0]
        return resolved, name

    # Schemas

    def type_label(self, schema, seen: frozenset = frozenset()) -> Markup:
        resolved, name = self.resolve(schema)
        kind = resolved.get("type")
        choices = resolved.get("oneOf") or resolved.get("anyOf")
        if name in seen:
            label = self._schema_link(name)
        elif isinstance(choices, list) and choices:
            label = Markup(" | ").join(self.type_label(choice, seen | {name}) for choice in choices)
        elif kind == "array":
            inner = self.type_label(resolved.get("items") or {}, seen | {name})
            label = escape(_("array of %(type)s")) % {"type": inner}
        elif kind == "object" or "properties" in resolved:
            values = resolved.get("additionalProperties")
            if name:
                label = self._schema_link(name)
            elif isinstance(values, dict) and not resolved.get("properties"):
                label = escape(_("object of %(type)s values")) % {"type": self.type_label(values, seen)}
            else:
                label = Markup("object")
        elif kind:
            label = escape(kind)
            if resolved.get("format"):
                label = Markup("{} ({})").format(kind, resolved["format"])
        elif name:
            label = self._schema_link(name)
        else:
            label = escape(_("any"))
        if resolved.get("nullable"):
            label = escape(_("%(type)s or null")) % {"type": label}
        return label

    def _schema_link(self, name: str) -> Markup:
        if name in self.components:
            return Markup('<a href="#{}">{}</a>').format(schema_anchor(name), name)
        return escape(name)

    def constraints(self, schema) -> list[Markup]:
        resolved, _name = self.resolve(schema)
        said: list[Markup] = []
        enum = resolved.get("enum")
        if isinstance(enum, list) and enum:
            values = Markup(", ").join(_code(_value(v)) for v in enum)
            said.append(escape(_("one of: %(values)s")) % {"values": values})
        for low, high, both, at_least, at_most in (
            ("minimum", "maximum", _("from %(min)s to %(max)s"), _("at least %(min)s"), _("at most %(max)s")),
            (
                "minLength",
                "maxLength",
                _("%(min)s to %(max)s characters"),
                _("at least %(min)s characters"),
                _("at most %(max)s characters"),
            ),
            (
                "minItems",
                "maxItems",
                _("%(min)s to %(max)s items"),
                _("at least %(min)s items"),
                _("at most %(max)s items"),
            ),
        ):
            minimum, maximum = resolved.get(low), resolved.get(high)
            if minimum is not None and maximum is not None:
                said.append(escape(both % {"min": minimum, "max": maximum}))
            elif minimum is not None:
                said.append(escape(at_least % {"min": minimum}))
            elif maximum is not None:
                said.append(escape(at_most % {"max": maximum}))
        if resolved.get("exclusiveMinimum") is True or resolved.get("exclusiveMaximum") is True:
            said.append(escape(_("limits excluded")))
        if resolved.get("pattern"):
            said.append(
                escape(_("pattern %(pattern)s")) % {"pattern": Markup("<code>{}</code>").format(resolved["pattern"])}
            )
        if "default" in resolved and resolved["default"] is not None:
            said.append(
                escape(_("default %(value)s"))
                % {"value": Markup("<code>{}</code>").format(_value(resolved["default"]))}
            )
        if resolved.get("readOnly"):
            said.append(escape(_("read only")))
        if resolved.get("writeOnly"):
            said.append(escape(_("write only")))
        if resolved.get("deprecated"):
            said.append(escape(_("deprecated")))
        return said

    def fields(
        self, schema, *, prefix: str = "", depth: int = 0, seen: frozenset = frozenset(), max_depth: int = MAX_DEPTH
    ) -> list[FieldRow]:
        """The fields of an object schema, nested objects spelled out below their field down to
        `max_depth` levels (1: only its own fields; the nested ones link to their schema)."""
        resolved, name = self.resolve(schema)
        seen = seen | {name} if name else seen
        while resolved.get("type") == "array" or "items" in resolved:
            resolved, name = self.resolve(resolved.get("items") or {})
            prefix += "[]."
            if name in seen:
                return []
            seen = seen | {name} if name else seen
        required = set(resolved.get("required") or [])
        rows = []
        for field_name, field_schema in (resolved.get("properties") or {}).items():
            inner, inner_name = self.resolve(field_schema)
            example = inner.get("example", MISSING)
            rows.append(
                FieldRow(
                    name=f"{prefix}{field_name}",
                    type=self.type_label(field_schema, seen),
                    required=field_name in required,
                    description=inline(inner.get("description") or ""),
                    example=None if example is MISSING else _value(example),
                    constraints=self.constraints(field_schema),
                    depth=depth,
                )
            )
            suffix = ""
            while inner.get("type") == "array" or "items" in inner:
                inner, inner_name = self.resolve(inner.get("items") or {})
                suffix += "[]"
            if inner.get("properties") and depth + 1 < max_depth and inner_name not in seen:
                rows.extend(
                    self.fields(
                        inner if inner_name is None else {"$ref": f"#/components/schemas/{inner_name}"},
                        prefix=f"{prefix}{field_name}{suffix}.",
                        depth=depth + 1,
                        seen=seen,
                        max_depth=max_depth,
                    )
                )
        return rows

    def example(self, schema, seen: frozenset = frozenset(), depth: int = 0):
        """An example of `schema`: its own, or one put together from its fields' examples."""
        resolved, name = self.resolve(schema)
        if "example" in resolved:
            return resolved["example"]
        if name in seen or depth > MAX_DEPTH + 2:
            return MISSING
        seen = seen | {name} if name else seen
        if isinstance(resolved.get("enum"), list) and resolved["enum"]:
            return resolved["enum"][0]
        if resolved.get("default") is not None:
            return resolved["default"]
        if resolved.get("type") == "array" or "items" in resolved:
            item = self.example(resolved.get("items") or {}, seen, depth + 1)
            return MISSING if item is MISSING else [item]
        properties = resolved.get("properties") or {}
        built = {}
        for field_name, field_schema in properties.items():
            value = self.example(field_schema, seen, depth + 1)
            if value is not MISSING:
                built[field_name] = value
        return built if built else MISSING

    def body(
        self, schema, *, media_type: str | None = None, example=MISSING, description="", max_depth: int = MAX_DEPTH
    ) -> Body:
        resolved, name = self.resolve(schema)
        if example is MISSING:
            example = self.example(schema)
        return Body(
            type=self.type_label(schema),
            schema_name=name,
            fields=self.fields(schema, max_depth=max_depth),
            example=None if example is MISSING else example_text(example),
            media_type=media_type,
            description=render_text(description or resolved.get("description"), heading_level=5),
        )

    def content_body(self, content: dict | None, description="") -> Body | None:
        if not isinstance(content, dict) or not content:
            return None
        media_type = "application/json" if "application/json" in content else next(iter(content))
        media = self.deref(content[media_type])
        example = media.get("example", MISSING)
        examples = media.get("examples")
        if example is MISSING and isinstance(examples, dict) and examples:
            first = self.deref(next(iter(examples.values())))
            example = first.get("value", MISSING)
        schema = media.get("schema") or {}
        return self.body(schema, media_type=media_type, example=example, description=description)

    # Operations

    def parameter_row(self, parameter) -> FieldRow:
        parameter = self.deref(parameter)
        schema = parameter.get("schema") or {}
        resolved, _name = self.resolve(schema)
        example = parameter.get("example", resolved.get("example", MISSING))
        examples = parameter.get("examples")
        if example is MISSING and isinstance(examples, dict) and examples:
            example = self.deref(next(iter(examples.values()))).get("value", MISSING)
        return FieldRow(
            name=str(parameter.get("name", "")),
            location=str(parameter.get("in", "")),
            type=self.type_label(schema),
            required=bool(parameter.get("required")),
            description=inline(parameter.get("description") or resolved.get("description") or ""),
            example=None if example is MISSING else _value(example),
            constraints=self.constraints(schema),
        )

    def operation(self, path: str, method: str, item: dict, operation: dict, *, webhook: bool = False) -> Operation:
        parameters = {}
        for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            resolved = self.deref(parameter)
            parameters[(resolved.get("name"), resolved.get("in"))] = parameter
        security = operation["security"] if "security" in operation else self.spec.get("security") or []
        needs_key = bool(security) and all(requirement for requirement in security)
        request_body = self.deref(operation.get("requestBody") or {})
        responses = []
        for status, response in (operation.get("responses") or {}).items():
            response = self.deref(response)
            headers = [
                self.parameter_row({"name": header, "in": "header", **self.deref(spec)})
                for header, spec in (response.get("headers") or {}).items()
            ]
            responses.append(
                Response(
                    status=str(status),
                    description=inline(response.get("description") or ""),
                    body=self.content_body(response.get("content")),
                    headers=headers,
                )
            )
        responses.sort(key=_status_order)
        summary = str(operation.get("summary") or "")
        return Operation(
            anchor=str(operation.get("operationId") or anchor_for("webhook" if webhook else method, path)),
            method=method.upper(),
            path=path,
            summary=summary,
            description=render_text(operation.get("description"), heading_level=4),
            deprecated=bool(operation.get("deprecated")),
            needs_key=needs_key,
            roles=[(str(role), role_label(str(role))) for role in operation.get("x-key-roles") or []],
            parameters=[self.parameter_row(p) for p in parameters.values()],
            request_body=self.content_body(request_body.get("content"), request_body.get("description") or ""),
            body_required=bool(request_body.get("required")),
            responses=responses,
            webhook=webhook,
        )

    def operations(self, paths: dict, *, webhook: bool = False):
        for path, item in (paths or {}).items():
            item = self.deref(item)
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    yield self.operation(str(path), method, item, item[method], webhook=webhook)

    def sections(self) -> list[Section]:
        tags = {str(tag.get("name")): tag for tag in self.spec.get("tags") or [] if isinstance(tag, dict)}
        grouped: dict[str, list[Operation]] = {}
        untagged = []
        for path, item in (self.spec.get("paths") or {}).items():
            item = self.deref(item)
            for method in METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                shown = self.operation(str(path), method, item, operation)
                names = [str(t) for t in operation.get("tags") or []]
                if names:
                    grouped.setdefault(names[0], []).append(shown)
                else:
                    untagged.append(shown)
        sections = []
        for name in [*tags, *(n for n in grouped if n not in tags)]:
            if name not in grouped or _is_webhooks(name):
                continue
            tag = tags.get(name, {})
            sections.append(
                Section(
                    anchor=anchor_for("tag", name),
                    title=_tag_title(tag, name),
                    description=render_text(tag.get("description")),
                    operations=grouped[name],
                )
            )
        if untagged:
            sections.append(Section(anchor="tag-other", title=_("Other"), description=Markup(""), operations=untagged))
        return sections

    def webhooks(self) -> Section | None:
        paths = self.spec.get("webhooks") or self.spec.get("x-webhooks") or {}
        operations = list(self.operations(paths, webhook=True)) if isinstance(paths, dict) else []
        tag = next(
            (t for t in self.spec.get("tags") or [] if isinstance(t, dict) and _is_webhooks(str(t.get("name")))), None
        )
        if not operations and tag is None:
            return None
        return Section(
            anchor="webhooks",
            title=_("Webhooks"),
            description=render_text((tag or {}).get("description")),
            operations=operations,
        )

    def shown_schemas(self) -> list[str]:
        """The component schemas worth a section: all but flask-smorest's unused ones."""
        document = json.dumps(self.spec, default=str)
        return [
            name
            for name in sorted(self.components)
            if name not in UNUSED_BUILTINS or f'"#/components/schemas/{name}"' in document
        ]


def _is_webhooks(tag_name: str) -> bool:
    return tag_name.lower().replace("_", "").replace("-", "") in ("webhooks", "apiwebhooks")


def _tag_title(tag: dict, name: str) -> str:
    """A tag's title for people: its x-displayName, or its name without the blueprints' `api_`."""
    if tag.get("x-displayName"):
        return str(tag["x-displayName"])
    if name in TAG_TITLES:
        return str(TAG_TITLES[name])
    words = re.sub(r"^api[_-]", "", name).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def _status_order(response: Response):
    status = response.status
    if status == "default":
        return (2, 999)
    if status.isdigit():
        return (0 if int(status) < 400 else 1, int(status))
    return (1, 998)  # 4XX, 5XX ranges
