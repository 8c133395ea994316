"""The public surface other modules build against: names, signatures and caching."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import tenderlens.reference as reference_module
from tenderlens.reference import NoticeType, PostcodeAreas, Reference, Region, default_reference
from tenderlens.reference.cpv import cpv_divisions
from tenderlens.reference.geography import itl_tables
from tenderlens.reference.notice_types import notice_types


def test_public_names():
    for name in (
        "Region",
        "PostcodeAreas",
        "NoticeType",
        "Reference",
        "default_reference",
        "parse_cpv_file",
        "parse_onspd",
    ):
        assert hasattr(reference_module, name), name
        assert name in reference_module.__all__


def test_reference_signatures():
    assert list(inspect.signature(Reference.__init__).parameters) == ["self", "cpv_labels", "postcodes"]
    arguments = {
        "cpv_label": "code",
        "cpv_division": "code",
        "regions_for_nuts": "code",
        "region_for_name": "name",
        "notice_type": "code",
        "postcode_areas": "postcode",
    }
    for method, argument in arguments.items():
        assert list(inspect.signature(getattr(Reference, method)).parameters) == ["self", argument]
    assert list(inspect.signature(reference_module.parse_cpv_file).parameters) == ["path"]
    assert list(inspect.signature(reference_module.parse_onspd).parameters) == ["path"]
    assert not inspect.signature(default_reference).parameters


def test_dataclass_fields():
    assert [f.name for f in dataclasses.fields(Region)] == ["code", "name", "level"]
    assert [f.name for f in dataclasses.fields(PostcodeAreas)] == [
        "postcode",
        "local_authority_code",
        "local_authority",
        "ward_code",
        "ward",
        "constituency_code",
        "constituency",
    ]
    assert [f.name for f in dataclasses.fields(NoticeType)][:3] == ["code", "name", "regime"]
    assert NoticeType("UK4", "Tender notice", "Procurement Act 2023").stage is None
    region = Region("TLC", "North East", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(region, "name", "x")  # noqa: B010 - a frozen dataclass must refuse it


def test_default_reference_is_cached():
    assert default_reference() is default_reference()
    before = (
        itl_tables.cache_info().misses,
        cpv_divisions.cache_info().misses,
        notice_types.cache_info().misses,
    )
    for _ in range(3):
        default_reference().regions_for_nuts("UKC11")
        default_reference().cpv_division("85000000")
        default_reference().notice_type("UK4")
        Reference().regions_for_nuts("UKJ")
    after = (
        itl_tables.cache_info().misses,
        cpv_divisions.cache_info().misses,
        notice_types.cache_info().misses,
    )
    assert after == before
    assert all(misses <= 1 for misses in after)
