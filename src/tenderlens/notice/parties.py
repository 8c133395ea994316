"""Parties (buyer, suppliers, others) and where things are: buyer region, delivery, postcode areas."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from tenderlens.notice.model import Address, Contact, DeliveryLocation, Locations, Party
from tenderlens.notice.safe import boolean, ident, obj, objs, path, strings, text, unique
from tenderlens.notice.words import DEVOLVED_WORDS, SCALE_WORDS, camel_words, code_words

if TYPE_CHECKING:
    from tenderlens.notice.context import Context
    from tenderlens.reference import Region

NUTS = re.compile(r"UK[A-Z0-9]{0,3}")


def identifier_text(value: object) -> str | None:
    data = obj(value)
    code = ident(data.get("id"))
    if code is None:
        return None
    scheme = text(data.get("scheme"))
    return f"{scheme} {code}" if scheme else code


def address(value: object) -> Address | None:
    data = obj(value)
    street = text(data.get("streetAddress"))
    locality = text(data.get("locality"))
    region = text(data.get("region"))
    postal_code = text(data.get("postalCode"))
    country = text(data.get("countryName")) or text(data.get("country"))
    parts = [street, locality, region, postal_code, country]
    if not any(parts):
        return None
    return Address(
        street=street,
        locality=locality,
        region=region,
        postal_code=postal_code,
        country=country,
        text=", ".join(part for part in parts if part),
    )


def party(data: Mapping[str, Any]) -> Party:
    details = obj(data.get("details"))
    contact = obj(data.get("contactPoint"))
    buyer_types: list[str] = []
    others: list[str] = []
    devolved: list[str] = []
    for entry in objs(details.get("classifications")):
        scheme = text(entry.get("scheme")) or ""
        code = ident(entry.get("id"))
        words = text(entry.get("description")) or (camel_words(code) if code else None)
        if words is None:
            continue
        if scheme == "UK_CA_DEVOLVED_REGULATIONS":
            devolved.append(DEVOLVED_WORDS.get(code or "", words))
        elif scheme in {"UK_CA_TYPE", "TED_CA_TYPE"} and not buyer_types:
            buyer_types.append(words)
        else:
            others.append(f"{scheme}: {words}" if scheme else words)
    roles = strings(data.get("roles"))
    identifiers = [identifier_text(data.get("identifier"))]
    identifiers.extend(identifier_text(extra) for extra in objs(data.get("additionalIdentifiers")))
    scale = text(details.get("scale"))
    return Party(
        id=ident(data.get("id")),
        name=text(data.get("name")) or text(path(data, "identifier", "legalName")),
        roles=roles,
        role_words=tuple(camel_words(role) for role in roles),
        identifiers=unique([found for found in identifiers if found]),
        address=address(data.get("address")),
        contact=Contact(
            name=text(contact.get("name")),
            email=text(contact.get("email")),
            telephone=text(contact.get("telephone")),
            url=text(contact.get("url")),
        ),
        website=text(details.get("url")),
        buyer_type=buyer_types[0] if buyer_types else None,
        classifications=unique(others),
        devolved_regulations=unique(devolved),
        scale=code_words(SCALE_WORDS, scale),
        vcse=boolean(details.get("vcse")),
    )


def parties(ctx: Context, value: object) -> dict[str, Party]:
    """Parties by id (the first of a repeated id wins, with a note)."""
    found: dict[str, Party] = {}
    for data in objs(value):
        built = party(data)
        if built.id is None:
            continue
        if built.id in found:
            ctx.note(f"party id {built.id!r} is used twice")
            continue
        found[built.id] = built
    return found


def buyer(ctx: Context, compiled: Mapping[str, Any], by_id: Mapping[str, Party]) -> Party | None:
    """The party ``buyer`` points to, else the first party with the buyer role."""
    reference = obj(compiled.get("buyer"))
    buyer_id = ident(reference.get("id"))
    if buyer_id is not None and buyer_id in by_id:
        return by_id[buyer_id]
    for found in by_id.values():
        if "buyer" in found.roles:
            return found
    if reference:
        if buyer_id is not None:
            ctx.note(f"the buyer {buyer_id!r} is not among the parties")
        built = party(reference)
        return built if built.name or built.id else None
    return None


def supplier(ctx: Context, reference: Mapping[str, Any], by_id: Mapping[str, Party]) -> Party:
    """A supplier as its full party entry when there is one."""
    supplier_id = ident(reference.get("id"))
    if supplier_id is not None and supplier_id in by_id:
        return by_id[supplier_id]
    if supplier_id is not None:
        ctx.note(f"the supplier {supplier_id!r} is not among the parties")
    return party(reference)


def regions(ctx: Context, raw: str) -> tuple[Region, ...]:
    """ITL regions for a NUTS code (FTS) or a region name (Contracts Finder)."""
    code = raw.strip().upper()
    if NUTS.fullmatch(code):
        return tuple(ctx.reference.regions_for_nuts(code))
    found = ctx.reference.region_for_name(raw.strip())
    return (found,) if found is not None else ()


def _delivery_text(raw: str, chain: tuple[Region, ...]) -> str:
    if chain:
        deepest = chain[-1]
        return f"{deepest.name} ({deepest.code})"
    if raw.strip().upper() == "UK":
        return "United Kingdom"
    return raw


def delivery(ctx: Context, items: Iterable[Mapping[str, Any]]) -> tuple[DeliveryLocation, ...]:
    """Distinct delivery places of the items, as published plus their ITL region."""
    found: dict[str, DeliveryLocation] = {}
    for item in items:
        addresses = item.get("deliveryAddresses")
        if isinstance(addresses, Mapping):
            ctx.note("items[].deliveryAddresses is an object, not an array")
        places = [*objs(addresses), obj(item.get("deliveryAddress")), obj(item.get("deliveryLocation"))]
        places.extend(objs(item.get("deliveryLocations")))
        for place in places:
            region = text(place.get("region"))
            raw = (
                region
                or text(place.get("postalCode"))
                or text(place.get("locality"))
                or text(place.get("countryName"))
                or text(place.get("description"))
                or text(path(place, "address", "region"))
            )
            if raw is None or raw in found:
                continue
            chain = (
                regions(ctx, raw) if raw == region or raw == text(path(place, "address", "region")) else ()
            )
            found[raw] = DeliveryLocation(raw=raw, regions=chain, text=_delivery_text(raw, chain))
    return tuple(found.values())


def locations(ctx: Context, the_buyer: Party | None, items: Iterable[Mapping[str, Any]]) -> Locations:
    where = the_buyer.address if the_buyer else None
    region = where.region if where else None
    postcode = None
    if where is not None and where.postal_code:
        areas = ctx.reference.postcode_areas(where.postal_code)
        named = (areas.local_authority, areas.ward, areas.constituency) if areas else ()
        coded = (areas.local_authority_code, areas.ward_code, areas.constituency_code) if areas else ()
        if any(named) or any(coded):
            postcode = areas
    return Locations(
        buyer_region=region,
        buyer_regions=regions(ctx, region) if region else (),
        delivery=delivery(ctx, items),
        postcode=postcode,
    )
