"""Derive the demo city's load model from real 311 data: frontdoor/demo/data/calibration.json.

Maintainers only. The application never runs this script; it reads the committed JSON. It needs
the real-data folders (see frontdoor/demo/data/README.md) and pyarrow for the parquet files,
which is not a dependency of Frontdoor:

    python3 -m venv /tmp/calib && /tmp/calib/bin/pip install pyarrow
    /tmp/calib/bin/python scripts/calibrate_demo.py [DATA_DIR] [--out PATH]

DATA_DIR defaults to ../shared/data relative to the repository root.

How each figure is made (also written into the output's "notes"):

- service_weights: every source's request types are mapped onto our service codes (the *_MAP
  dicts below; a type may be split over several codes by fixed fractions). Each source only says
  how its *mapped* requests divide among the codes it can express (its coverage), so the
  weights are the fixed point of "a code's weight = the alpha-weighted mean, over the sources
  covering it, of (its share in that source x the current total weight of that source's
  coverage)". Every code gets at least FLOOR_SHARE, so each shows up in demo data. Boston 2015
  lacks its five biggest types, so the codes they would have fed leave Boston's coverage.
- channel_mix: the same fixed point over channel counts (each source covers only the channels
  it can tell apart; staff-generated and unknown origins are left out).
- resolution_days: open-to-close days per code: row-level medians/p90 (Boston, LA, NYC Council)
  (plus the NYC 311 2011/2013 extracts) and San Diego's per-type median with p90 from a
  log-normal fitted to its median and mean;
  combined across sources by an alpha-weighted geometric mean.
- closed_share, hour_of_week, month_of_year: see the functions of the same name.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

try:
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover - maintainer tool
    sys.exit("calibrate_demo.py needs pyarrow: pip install pyarrow (see the docstring)")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DATA = REPO_ROOT / "frontdoor" / "demo" / "data"
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"

CHANNELS = ["phone", "web", "mobile", "email", "walk_in", "sms", "social", "chat", "mail"]
FLOOR_SHARE = 0.001  # least weight of any service (so each appears in demo data)
MIN_ROWS_FOR_RESOLUTION = 30
MIN_ROWS_FOR_CHANNELS = 1000
MIN_DAYS = 1 / 24  # resolution floor (one hour) so a geometric mean survives same-day closes

# How much each source counts when sources disagree. Full 311 systems count 1; partial views less.
ALPHA = {
    "sd": 1.0,  # San Diego Get It Done, ~3.1M requests, all types
    "boston": 1.0,  # Boston 311 2015, row level, minus its 5 biggest types
    "dc": 0.5,  # Washington DC, sampled service mix of mostly public-works types
    "la": 0.5,  # Los Angeles, two windows of a few days, 12 types
    "nyc_council": 0.25,  # NYC Council casework: not 311, skewed toward housing and benefits
    "nyc311": 0.25,  # NYC 311 extracts: three single days (channels only)
    "dc_origin": 0.5,  # DC's origin split (channels only)
    "dc_source": 0.5,  # DC's source split (channels only)
}

Split = Mapping[str, float]

# Missed collections that a source does not split by stream are divided like DC's 2016-2026
# sample (trash 197k : recycling 98k : yard waste and leaves 29k).
MISSED_SPLIT: Split = {"MISSED_TRASH": 0.61, "MISSED_RECYCLING": 0.30, "MISSED_YARD_WASTE": 0.09}

# San Diego top_problem_types.service_name -> our code(s). Unlisted types are not counted.
SD_MAP: dict[str, str | Split] = {
    "Illegal Dumping": "ILLEGAL_DUMPING",
    "Encampment": "ENCAMPMENT",
    "Homeless Outreach": "ENCAMPMENT",
    # "Parking" in Get It Done is mostly 72-hour and blocking complaints; the split is a guess.
    "Parking": {"PARKING_VIOLATION": 0.6, "ABANDONED_VEHICLE": 0.4},
    "Parking Violation": "PARKING_VIOLATION",
    "Oversized Vehicle": "PARKING_VIOLATION",
    "Parking - 72-Hours": "ABANDONED_VEHICLE",
    "Missed Collection": MISSED_SPLIT,
    "Trash/Recycling Collection": "CART_REQUEST",
    "ESD Collections": "BULK_PICKUP",
    "Environmental Services Code Compliance": "TRASH_SETOUT_VIOLATION",
    "Waste on Private Property": "PROPERTY_MAINTENANCE",
    "Pothole": "POTHOLE",
    "Graffiti": "GRAFFITI",
    "Graffiti - Public": "GRAFFITI",
    "Graffiti - Private": "GRAFFITI",
    "Graffiti - Code Enforcement": "GRAFFITI",
    "Other": "GENERAL",
    "Street Light Maintenance": "STREETLIGHT_OUT",
    "Tree Maintenance": {"TREE_TRIMMING": 0.6, "TREE_INSPECTION": 0.25, "TREE_DOWN": 0.15},
    "Vegetation Encroachment": "HIGH_WEEDS",
    "Weed Cleanup": "HIGH_WEEDS",
    "Sidewalk Repair Issue": "SIDEWALK_REPAIR",
    "Traffic Signal Issue": "TRAFFIC_SIGNAL",
    "Traffic Signal Timing": "SIGNAL_TIMING",
    "Traffic Sign Maintenance": "SIGN_DAMAGED",
    "Traffic Engineering": "TRAFFIC_SAFETY_STUDY",
    "ROW Maintenance": {"STREET_SWEEPING": 0.5, "STREET_DEBRIS": 0.5},
    "Street Sweeping": "STREET_SWEEPING",
    "Parks Issue": {"PARK_MAINTENANCE": 0.85, "PLAYGROUND_REPAIR": 0.15},
    "Dead Animal": "DEAD_ANIMAL",
    "Stormwater": "STORM_DRAIN",
    "Street Flooded": "STREET_FLOODING",
    "Development Services - Code Enforcement": {
        "BUILDING_WITHOUT_PERMIT": 0.5,
        "ZONING_COMPLAINT": 0.5,
    },
    "Building and Land Use Enforcement": "BUILDING_WITHOUT_PERMIT",
    "STRO Violation": "ZONING_COMPLAINT",
    "Biohazard": "NEEDLE_PICKUP",
    # Not mapped: Shared Mobility Device, Stormwater Code Enforcement, Pavement Maintenance
    # (resurfacing), Right-of-Way Code Enforcement, COVID-19 and types with < 10 requests.
}

# Boston 2015 TYPE -> our code(s).
BOSTON_MAP: dict[str, str | Split] = {
    "Street Light Outages": "STREETLIGHT_OUT",
    "Street Light Knock Downs": "STREETLIGHT_OUT",
    "General Lighting Request": "STREETLIGHT_OUT",
    "Pothole Repair (Internal)": "STREET_DEFECT_INTERNAL",
    "Sidewalk Repair (Internal)": "STREET_DEFECT_INTERNAL",
    "Building Inspection Request": {"PROPERTY_MAINTENANCE": 0.5, "BUILDING_WITHOUT_PERMIT": 0.5},
    "CE Collection": "TRASH_SETOUT_VIOLATION",
    "Overflowing or Un-kept Dumpster": "TRASH_SETOUT_VIOLATION",
    "Improper Storage of Trash (Barrels)": "TRASH_SETOUT_VIOLATION",
    "General Comments For a Program or Policy": "CITY_FEEDBACK",
    "General Comments For An Employee": "CITY_FEEDBACK",
    "Sign Repair": "SIGN_DAMAGED",
    "Missing Sign": "SIGN_DAMAGED",
    "Graffiti Removal": "GRAFFITI",
    "PWD Graffiti": "GRAFFITI",
    "Sidewalk Repair (Make Safe)": "SIDEWALK_REPAIR",
    "Sidewalk Repair": "SIDEWALK_REPAIR",
    "Tree Maintenance Requests": "TREE_TRIMMING",
    "Tree Emergencies": "TREE_DOWN",
    "Tree in Park": "TREE_INSPECTION",
    "New Tree Requests": "TREE_PLANTING",
    "Planting": "TREE_PLANTING",
    "Empty Litter Basket": "LITTER_BASKET",
    "Litter Basket Maintenance": "LITTER_BASKET",
    "Request for Litter Basket Installation": "LITTER_BASKET",
    "Request for Recycling Cart": "CART_REQUEST",
    "Recycling Cart Return": "CART_REQUEST",
    "Recycling Cart Inquiry": "CART_REQUEST",
    "Abandoned Vehicles": "ABANDONED_VEHICLE",
    "Unsatisfactory Living Conditions": "HOUSING_CODE",
    "Maintenance Complaint - Residential": "HOUSING_CODE",
    "Unsatisfactory Utilities - Electrical  Plumbing": "HOUSING_CODE",
    "Squalid Living Conditions": "HOUSING_CODE",
    "Bed Bugs": "HOUSING_CODE",
    "Pest Infestation - Residential": "HOUSING_CODE",
    "Mice Infestation - Residential": "HOUSING_CODE",
    "No Utilities Residential - Water": "HOUSING_CODE",
    "Heat - Excessive  Insufficient": "NO_HEAT",
    "Animal Generic Request": "STRAY_ANIMAL",
    "Animal Found": "STRAY_ANIMAL",
    "Animal Noise Disturbances": "BARKING_DOG",
    "Call Log": "INFO_CALL",
    "Traffic Signal Inspection": "TRAFFIC_SIGNAL",
    "Traffic Signal Repair": "TRAFFIC_SIGNAL",
    "Requests for Traffic Signal Studies or Reviews": "SIGNAL_TIMING",
    "Pick up Dead Animal": "DEAD_ANIMAL",
    "Rodent Activity": "RODENTS",
    "Mosquitoes (West Nile)": "MOSQUITOES",
    "Ground Maintenance": "PARK_MAINTENANCE",
    "Parks General Request": "PARK_MAINTENANCE",
    "Park Improvement Requests": "PARK_MAINTENANCE",
    "Equipment Repair": "PLAYGROUND_REPAIR",
    "Unsafe Dangerous Conditions": "PROPERTY_MAINTENANCE",
    "Poor Conditions of Property": "PROPERTY_MAINTENANCE",
    "Maintenance - Homeowner": "PROPERTY_MAINTENANCE",
    "Abandoned Building": "VACANT_BUILDING",
    "New Sign  Crosswalk or Pavement Marking": "TRAFFIC_SAFETY_STUDY",
    "General Traffic Engineering Request": "TRAFFIC_SAFETY_STUDY",
    "Pavement Marking Maintenance": "PAVEMENT_MARKING",
    "Pavement Marking Inspection": "PAVEMENT_MARKING",
    "Unshoveled Sidewalk": "SIDEWALK_SNOW",
    "Needle Pickup": "NEEDLE_PICKUP",
    "Public Works General Request": "GENERAL",
    "Transportation General Request": "GENERAL",
    "BWSC General Request": "GENERAL",
    "Unsanitary Conditions - Establishment": "FOOD_SAFETY",
    "Unsanitary Conditions - Food": "FOOD_SAFETY",
    "Unsanitary Conditions - Employees": "FOOD_SAFETY",
    "Food Alert - Unconfirmed": "FOOD_SAFETY",
    "Food Alert - Confirmed": "FOOD_SAFETY",
    "Catchbasin": "STORM_DRAIN",
    "Fire Hydrant": "FIRE_HYDRANT",
    "Watermain Break": "WATER_MAIN_BREAK",
    "Trash on Vacant Lot": "ILLEGAL_DUMPING",
    "Illegal Dumping": "ILLEGAL_DUMPING",
    "Construction Debris": "ILLEGAL_DUMPING",
    "Illegal Occupancy": "ZONING_COMPLAINT",
    "Illegal Rooming House": "ZONING_COMPLAINT",
    "Overcrowding": "ZONING_COMPLAINT",
    "Student Overcrowding": "ZONING_COMPLAINT",
    "Zoning": "ZONING_COMPLAINT",
    "Illegal Auto Body Shop": "ZONING_COMPLAINT",
    "Exceeding Terms of Permit": "BUILDING_WITHOUT_PERMIT",
    "Parking Meter Repairs": "PARKING_METER",
}
# Codes Boston's 2015 extract cannot speak for: their main types are the five missing files
# (pothole, snow plowing, street cleaning, bulk pickup by phone, parking enforcement), and
# residents' noise complaints went to the police, not 311.
BOSTON_NOT_COVERED = {
    "POTHOLE",
    "SNOW_PLOWING",
    "STREET_SWEEPING",
    "BULK_PICKUP",
    "PARKING_VIOLATION",
    "NOISE",
}

# Washington DC service (agg.json methods.*.source_by_service) -> our code(s).
DC_MAP: dict[str, str | Split] = {
    "Residential Bulk Collection": "BULK_PICKUP",
    "Trash Collection - Missed": "MISSED_TRASH",
    "Recycling Collection - Missed": "MISSED_RECYCLING",
    "Yard Waste": "MISSED_YARD_WASTE",
    "Leaf Collection Missed": "MISSED_YARD_WASTE",
    "Parking Meter Repair": "PARKING_METER",
    "Streetlight Repair Investigation": "STREETLIGHT_OUT",
    "Pothole": "POTHOLE",
    "Tree Inspection": "TREE_INSPECTION",
    "Tree Removal": "TREE_INSPECTION",
    "Tree Pruning": "TREE_TRIMMING",
    "Tree Planting": "TREE_PLANTING",
    "Traffic Lights and Pedestrian Walk Signals": "TRAFFIC_SIGNAL",
    "Alley Cleaning": "STREET_SWEEPING",
    "Signed Street Sweeping Missed": "STREET_SWEEPING",
    "Sidewalk Repair": "SIDEWALK_REPAIR",
    "Dead Animal Collection": "DEAD_ANIMAL",
    "Supercan - Delivery": "CART_REQUEST",
    "Supercan - Repair": "CART_REQUEST",
    "Recycling Cart Delivery": "CART_REQUEST",
    "Recycling Cart Repair": "CART_REQUEST",
    "Trash Cart - Delivery": "CART_REQUEST",
    "Trash Cart Repair": "CART_REQUEST",
    "Container Removal": "CART_REQUEST",
    "Graffiti Removal": "GRAFFITI",
    "Roadway Signs": "SIGN_DAMAGED",
    "Roadway Markings / Pylons": "PAVEMENT_MARKING",
    "Litter can - Collection": "LITTER_BASKET",
    "Litter Can- Installation/Removal/Repair": "LITTER_BASKET",
    "Public Space Litter Can Repair": "LITTER_BASKET",
    "Public Space Litter Can Installation": "LITTER_BASKET",
    "Public Space Litter Can Removal": "LITTER_BASKET",
    "DGS Overflowing Recycling Can": "LITTER_BASKET",
    "Abandoned Vehicle - On Public Property": "ABANDONED_VEHICLE",
    "Abandoned Vehicle - On Private Property": "PROPERTY_MAINTENANCE",
    "Traffic Safety Input": "TRAFFIC_SAFETY_STUDY",
    "Grass and Weeds Mowing (DPW)": "HIGH_WEEDS",
    "Vacant Lot - Public Property Only": "HIGH_WEEDS",
    "DC Health Rodent & Vector Control": "RODENTS",
    "Illegal Dumping": "ILLEGAL_DUMPING",
    "DGS - Playground Repair": "PLAYGROUND_REPAIR",
    "DC Dog Park Maintenance (DGS)": "PARK_MAINTENANCE",
    "Grass Mowing Services Missed (DGS)": "PARK_MAINTENANCE",
}

# Los Angeles RequestType -> our code(s).
LA_MAP: dict[str, str | Split] = {
    "Bulky Items": "BULK_PICKUP",
    "Metal/Household Appliances": "BULK_PICKUP",
    "Electronic Waste": "BULK_PICKUP",
    "Graffiti Removal": "GRAFFITI",
    "Illegal Dumping Pickup": "ILLEGAL_DUMPING",
    "Homeless Encampment": "ENCAMPMENT",
    "Dead Animal Removal": "DEAD_ANIMAL",
    "Single Streetlight Issue": "STREETLIGHT_OUT",
    "Multiple Streetlight Issue": "STREETLIGHT_OUT",
    "Other": "GENERAL",
    "Feedback": "CITY_FEEDBACK",
}

# NYC Council casework (complaint_type, descriptor) -> our code(s).
NYC_COUNCIL_MAP: dict[tuple[str, str], str | Split] = {
    ("Transportation", "Pot Holes"): "POTHOLE",
    ("Transportation", "Street Signs"): "SIGN_DAMAGED",
    ("Transportation", "Sidewalks"): "SIDEWALK_REPAIR",
    ("Transportation", "Curb Condition"): "SIDEWALK_REPAIR",
    ("Transportation", "Traffic Signals"): "TRAFFIC_SIGNAL",
    ("Transportation", "Street Lights"): "STREETLIGHT_OUT",
    ("Transportation", "Speed Bump Request"): "TRAFFIC_SAFETY_STUDY",
    ("Transportation", "Pedestrian Safety"): "TRAFFIC_SAFETY_STUDY",
    ("Transportation", "Stop Sign"): "TRAFFIC_SAFETY_STUDY",
    ("Transportation", "Traffic Enforcement"): "TRAFFIC_ENFORCEMENT",
    ("Transportation", "Street Markings"): "PAVEMENT_MARKING",
    ("Transportation", "Ponding"): "STREET_FLOODING",
    ("Transportation", "Parking Meters"): "PARKING_METER",
    ("Sanitation", "Missed Collection"): MISSED_SPLIT,
    ("Sanitation", "Illegal Dumping"): "ILLEGAL_DUMPING",
    ("Sanitation", "Snow Removal"): "SNOW_PLOWING",
    ("Sanitation", "E-Waste Pickups"): "BULK_PICKUP",
    ("Sanitation", "E-WASTE PICKUPS"): "BULK_PICKUP",
    ("Sanitation", "Street Cleaning"): "STREET_SWEEPING",
    ("Sanitation", "Lot Cleaning"): "HIGH_WEEDS",
    ("Sanitation", "Litter Basket Requests"): "LITTER_BASKET",
    ("Sanitation", "Litter Baskets"): "LITTER_BASKET",
    ("Parks", "Park Maintenance"): "PARK_MAINTENANCE",
    ("Parks", "Tree Planting/Pruning"): {"TREE_PLANTING": 0.5, "TREE_TRIMMING": 0.5},
    ("Parks", "Tree Sidewalk Prog"): "SIDEWALK_REPAIR",
    ("Parks", "Dead Tree Removal"): "TREE_INSPECTION",
    ("Quality of Life", "Noise - Other"): "NOISE",
    ("Quality of Life", "Noise - Construction"): "NOISE",
    ("Quality of Life", "Noise - Residential"): "NOISE",
    ("Quality of Life", "Noise- Street/Sidewalk"): "NOISE",
    ("Quality of Life", "Noise - Bar/Restaurant"): "NOISE",
    ("Quality of Life", "Noise - Aircraft"): "NOISE",
    ("Quality of Life", "Graffiti"): "GRAFFITI",
    ("Health", "Rats/Rodents"): "RODENTS",
    ("Health", "Animal Care/Wild Animal"): "STRAY_ANIMAL",
    ("Environment", "Water and Sewage Bills"): "WATER_BILL",
    ("Environment", "Street Flooding"): "STREET_FLOODING",
    ("Environment", "Catch Basins"): "STORM_DRAIN",
    ("Environment", "Water Quality"): "WATER_QUALITY",
    ("Environment", "Air Quality"): "AIR_QUALITY",
    ("Environment", "Sewer Backups"): "SEWER_BACKUP",
    ("Environment", "SEWER MAIN BREAK"): "SEWER_BACKUP",
    ("Environment", "Open Hydrants"): "FIRE_HYDRANT",
    ("Environment", "Sink Holes"): "STREET_CAVE_IN",
    ("Public Safety", "Illegal Parking"): "PARKING_VIOLATION",
    ("Public Safety", "Abandoned Vehicle"): "ABANDONED_VEHICLE",
    ("Public Safety", "Drag Racing"): "TRAFFIC_ENFORCEMENT",
    ("Public Safety", "Truck Enforcement"): "TRAFFIC_ENFORCEMENT",
    ("Housing and Buildings", "Heat/Hot Water"): "NO_HEAT",
    ("Housing and Buildings", "Boiler"): "NO_HEAT",
    ("Housing and Buildings", "Building Maintenance"): "HOUSING_CODE",
    ("Housing and Buildings", "Maintenance"): "HOUSING_CODE",
    ("Housing and Buildings", "Repair Assistance"): "HOUSING_CODE",
    ("Housing and Buildings", "Emergency Repairs"): "HOUSING_CODE",
    ("Housing and Buildings", "Unsanitary Condition"): "HOUSING_CODE",
    ("Housing and Buildings", "Bed Bugs"): "HOUSING_CODE",
    ("Housing and Buildings", "Mold"): "HOUSING_CODE",
    ("Housing and Buildings", "Violation"): "HOUSING_CODE",
    ("Housing and Buildings", "Construction - No Permits"): "BUILDING_WITHOUT_PERMIT",
    ("Housing and Buildings", "After-Hours Building Construction"): "BUILDING_WITHOUT_PERMIT",
    ("Housing and Buildings", "Abandoned Building"): "VACANT_BUILDING",
    ("Housing and Buildings", "Squatters"): "VACANT_BUILDING",
    ("Housing and Buildings", "Illegal Hotel"): "ZONING_COMPLAINT",
}

# NYC 311 Complaint Type -> our code(s). Used for resolution times only: the extracts are single
# days (one of them Christmas Day, when heating complaints swamp everything), far too skewed for
# the service mix.
NYC311_MAP: dict[str, str | Split] = {
    "Noise - Residential": "NOISE",
    "Noise - Street/Sidewalk": "NOISE",
    "Noise - Commercial": "NOISE",
    "Noise - Vehicle": "NOISE",
    "Noise - Park": "NOISE",
    "Noise - House of Worship": "NOISE",
    "Noise": "NOISE",
    "Blocked Driveway": "PARKING_VIOLATION",
    "Illegal Parking": "PARKING_VIOLATION",
    "Derelict Vehicle": "ABANDONED_VEHICLE",
    "Derelict Vehicles": "ABANDONED_VEHICLE",
    "Abandoned Vehicle": "ABANDONED_VEHICLE",
    "HEATING": "NO_HEAT",
    "Boilers": "NO_HEAT",
    "PLUMBING": "HOUSING_CODE",
    "PAINT - PLASTER": "HOUSING_CODE",
    "PAINT/PLASTER": "HOUSING_CODE",
    "ELECTRIC": "HOUSING_CODE",
    "GENERAL CONSTRUCTION": "HOUSING_CODE",
    "NONCONST": "HOUSING_CODE",
    "APPLIANCE": "HOUSING_CODE",
    "Mold": "HOUSING_CODE",
    "Street Condition": "POTHOLE",
    "Water System": {"WATER_MAIN_BREAK": 0.4, "NO_WATER": 0.3, "FIRE_HYDRANT": 0.3},
    "Sewer": "SEWER_BACKUP",
    "Traffic Signal Condition": "TRAFFIC_SIGNAL",
    "Street Light Condition": "STREETLIGHT_OUT",
    "Street Sign - Damaged": "SIGN_DAMAGED",
    "Street Sign - Missing": "SIGN_DAMAGED",
    "Street Sign - Dangling": "SIGN_DAMAGED",
    "Sidewalk Condition": "SIDEWALK_REPAIR",
    "Broken Parking Meter": "PARKING_METER",
    "Rodent": "RODENTS",
    "Overgrown Tree/Branches": "TREE_TRIMMING",
    "Damaged Tree": "TREE_DOWN",
    "Food Establishment": "FOOD_SAFETY",
    "Food Poisoning": "FOOD_SAFETY",
    "Air Quality": "AIR_QUALITY",
    "Indoor Air Quality": "AIR_QUALITY",
    "Animal Abuse": "ANIMAL_NEGLECT",
    "Graffiti": "GRAFFITI",
    "Missed Collection (All Materials)": MISSED_SPLIT,
    "Missed Collection": MISSED_SPLIT,
    "Encampment": "ENCAMPMENT",
    "Snow": "SNOW_PLOWING",
    "Dead Animal": "DEAD_ANIMAL",
    "Illegal Dumping": "ILLEGAL_DUMPING",
    "Vacant Lot": "HIGH_WEEDS",
    "Building/Use": "ZONING_COMPLAINT",
    "Traffic": "TRAFFIC_ENFORCEMENT",
}
NYC311_RESOLUTION_FILES = ("nyc311_2011-03_999rows.csv", "nyc311_2013-12_2386rows.csv")

# Channel names of each source -> our channel. None = left out (staff-made, unknown, other).
BOSTON_CHANNELS = {
    "Constituent Call": "phone",
    "Citizens Connect App": "mobile",
    "Self Service": "web",
    "Twitter": "social",
    "Employee Generated": None,
    "City Worker App": None,
    "Maximo Integration": None,
}
LA_CHANNELS = {
    "Call": "phone",
    "Voicemail": "phone",
    "Mobile App": "mobile",
    "Self Service": "web",
    "Email": "email",
    "Letter": "mail",
    "Walk-in": "walk_in",
    "Driver Self Report": None,  # sanitation drivers reporting dumping they pass
    "Council's Office": None,
}
SD_CHANNELS = {"Mobile App": "mobile", "Web": "web", "Phone": "phone", "Other": None}
DC_DEVICE_CHANNELS = {
    "Phone / Call center": "phone",
    "Desktop web": "web",
    "Mobile (app + web)": "mobile",
    "Other": None,
}
# DC's origin field separates e-mail, social and live chat from phone; web and app requests all
# arrive as "API" there, so they are left out of this view and taken from the device view.
DC_ORIGIN_CHANNELS = {
    "Phone": "phone",
    "Email": "email",
    "Twitter": "social",
    "Facebook": "social",
    "Live Agent": "chat",
}
# DC's source field is the only one that counts text messages (origin files them under API).
DC_SOURCE_CHANNELS = {
    "Agent": "phone",
    "IVR": "phone",
    "API IVR": "phone",
    "Web": "web",
    "Portal": "web",
    "iOS": "mobile",
    "Android": "mobile",
    "Mobile": "mobile",
    "iOS Browser": "mobile",
    "Android Browser": "mobile",
    "SeeClickFix": "mobile",
    "Text-To-311": "sms",
}
NYC311_CHANNELS = {"PHONE": "phone", "ONLINE": "web", "MOBILE": "mobile"}


# --------------------------------------------------------------------------------------------
# small helpers


def split_of(target: str | Split) -> Split:
    return {target: 1.0} if isinstance(target, str) else target


def spread(counts: Mapping[Any, float], mapping: Mapping[Any, str | Split]) -> Counter[str]:
    """Source counts per source type -> counts per our code, using the mapping's fractions."""
    out: Counter[str] = Counter()
    for key, count in counts.items():
        if key in mapping:
            for code, fraction in split_of(mapping[key]).items():
                out[code] += count * fraction
    return out


def coverage_of(mapping: Mapping[Any, str | Split], excluded: Iterable[str] = ()) -> set[str]:
    codes = {code for target in mapping.values() for code in split_of(target)}
    return codes - set(excluded)


def pooled_shares(
    sources: dict[str, tuple[Counter[str], set[str]]], keys: list[str], floor: float
) -> dict[str, float]:
    """Fixed point of overlapping partial views (see the module docstring).

    sources: name -> (counts per key, keys the source can express).
    """
    weights = {k: 1.0 / len(keys) for k in keys}
    for _ in range(500):
        new: dict[str, float] = {}
        for key in keys:
            numerator = denominator = 0.0
            for name, (counts, covered) in sources.items():
                if key not in covered:
                    continue
                total = sum(counts[k] for k in covered)
                if total <= 0:
                    continue
                covered_weight = sum(weights[k] for k in covered)
                numerator += ALPHA[name] * counts[key] / total * covered_weight
                denominator += ALPHA[name]
            new[key] = numerator / denominator if denominator else floor
        norm = sum(new.values())
        new = {k: v / norm for k, v in new.items()}
        delta = max(abs(new[k] - weights[k]) for k in keys)
        weights = new
        if delta < 1e-12:
            break
    return weights


def rounded_shares(shares: Mapping[str, float], digits: int = 6) -> dict[str, float]:
    """Round to `digits` and put the rounding remainder on the largest entry (sum stays 1)."""
    out = {k: round(v, digits) for k, v in shares.items()}
    largest = max(out, key=lambda k: out[k])
    out[largest] = round(out[largest] + 1.0 - sum(out.values()), digits)
    return out


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def geometric_mean(pairs: list[tuple[float, float]]) -> float:
    """Weighted geometric mean of (value, weight) pairs, values floored at MIN_DAYS."""
    total = sum(w for _, w in pairs)
    return math.exp(sum(w * math.log(max(v, MIN_DAYS)) for v, w in pairs) / total)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return list(csv.DictReader(fh))


def parse_us_datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------------------------
# loading


class Data:
    """Everything read from the data folders, normalised to plain Python."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: list[str] = []

    def folder(self, name: str) -> Path:
        path = self.root / name
        if not path.is_dir():
            sys.exit(f"missing data folder: {path}")
        if name not in self.used:
            self.used.append(name)
        return path

    def sd_table(self, name: str) -> list[dict[str, Any]]:
        return pq.read_table(
            self.folder("sd_get_it_done_aggregates") / f"{name}.parquet"
        ).to_pylist()

    def boston_rows(self) -> list[dict[str, Any]]:
        path = self.folder("boston311_2015_partial") / "boston311_2015_partial.parquet"
        columns = ["TYPE", "OPEN_DT", "CLOSED_DT", "CASE_STATUS", "Source"]
        rows = pq.read_table(path, columns=columns).to_pylist()
        for row in rows:
            row["open"] = parse_us_datetime(row["OPEN_DT"])
            row["closed"] = parse_us_datetime(row["CLOSED_DT"])
        return rows

    def la_rows(self) -> list[dict[str, Any]]:
        folder = self.folder("la311_myla311_samples")
        rows = []
        for name in ("myla311_2017-12-27_to_31_subset.csv", "myla311_2020-01-01_to_03_10k.csv"):
            for raw in read_csv(folder / name):
                row = {k.lower(): v for k, v in raw.items()}
                rows.append(
                    {
                        "type": row["requesttype"],
                        "source": row["requestsource"],
                        "status": row["status"],
                        "open": parse_us_datetime(row["createddate"]),
                        "closed": parse_us_datetime(row["closeddate"]),
                        "updated": parse_us_datetime(row["updateddate"]),
                        "file": name,
                    }
                )
        return rows

    def nyc_council_rows(self) -> list[dict[str, Any]]:
        path = self.folder("nyc_council_constituent_casework") / "nycomplaints_2015_2025.parquet"
        columns = ["complaint_type", "descriptor", "opendate", "closedate"]
        return pq.read_table(path, columns=columns).to_pylist()

    def dc(self) -> dict[str, Any]:
        with (self.folder("dc311_aggregates") / "agg.json").open(encoding="utf-8") as fh:
            return json.load(fh)

    def nyc311_rows(self) -> list[dict[str, Any]]:
        """The 2011 and 2013 extracts (99 % closed; the 2022 one was cut the same day)."""
        folder = self.folder("nyc311_small_samples")
        return [
            {
                "type": row["Complaint Type"],
                "open": parse_us_datetime(row["Created Date"]),
                "closed": parse_us_datetime(row["Closed Date"]),
            }
            for name in NYC311_RESOLUTION_FILES
            for row in read_csv(folder / name)
        ]

    def nyc311_channels(self) -> Counter[str]:
        path = self.folder("nyc311_small_samples") / "nyc311_2022-05_924rows.csv"
        return Counter(row["Open Data Channel Type"] for row in read_csv(path))


# --------------------------------------------------------------------------------------------
# figures


def service_weights(
    data: Data,
    codes: list[str],
    sd_types: list[dict[str, Any]],
    boston: list[dict[str, Any]],
    la: list[dict[str, Any]],
    nyc: list[dict[str, Any]],
    dc: dict[str, Any],
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    dc_services: Counter[str] = Counter()
    for year in dc["methods"].values():
        for service, by_source in year.get("source_by_service", {}).items():
            dc_services[service] += sum(by_source.values())
    sources = {
        "sd": (
            spread({r["service_name"]: r["total_requests"] for r in sd_types}, SD_MAP),
            coverage_of(SD_MAP),
        ),
        "boston": (
            spread(Counter(r["TYPE"] for r in boston), BOSTON_MAP),
            coverage_of(BOSTON_MAP, BOSTON_NOT_COVERED),
        ),
        "dc": (spread(dc_services, DC_MAP), coverage_of(DC_MAP)),
        "la": (spread(Counter(r["type"] for r in la), LA_MAP), coverage_of(LA_MAP)),
        "nyc_council": (
            spread(Counter((r["complaint_type"], r["descriptor"]) for r in nyc), NYC_COUNCIL_MAP),
            coverage_of(NYC_COUNCIL_MAP),
        ),
    }
    for name, (_, covered) in sources.items():
        unknown = covered - set(codes)
        if unknown:
            sys.exit(f"{name} mapping names codes missing from catalogue.json: {sorted(unknown)}")
    pooled = pooled_shares(sources, codes, FLOOR_SHARE)
    floored = {code: max(share, FLOOR_SHARE) for code, share in pooled.items()}
    weights = {code: share / sum(floored.values()) for code, share in floored.items()}
    per_source = {
        name: {code: counts[code] / sum(counts[c] for c in covered) for code in covered}
        for name, (counts, covered) in sources.items()
    }
    return rounded_shares(weights), per_source


def channel_mix(
    sd_origin: list[dict[str, Any]],
    boston: list[dict[str, Any]],
    la: list[dict[str, Any]],
    dc: dict[str, Any],
    nyc311: Counter[str],
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    def view(counts: Mapping[str, float], mapping: Mapping[str, str | None]) -> Counter[str]:
        out: Counter[str] = Counter()
        for key, count in counts.items():
            channel = mapping.get(key)
            if channel:
                out[channel] += count
        return out

    def covered(mapping: Mapping[str, str | None]) -> set[str]:
        return {c for c in mapping.values() if c}

    sources = {
        "sd": (
            view({r["channel"]: r["request_count"] for r in sd_origin}, SD_CHANNELS),
            covered(SD_CHANNELS),
        ),
        "boston": (
            view(Counter(r["Source"] for r in boston), BOSTON_CHANNELS),
            covered(BOSTON_CHANNELS),
        ),
        "la": (view(Counter(r["source"] for r in la), LA_CHANNELS), covered(LA_CHANNELS)),
        "dc": (view(dict(dc["channel_counts"]), DC_DEVICE_CHANNELS), covered(DC_DEVICE_CHANNELS)),
        "dc_origin": (
            view(dict(dc["origin_counts"]), DC_ORIGIN_CHANNELS),
            covered(DC_ORIGIN_CHANNELS),
        ),
        "dc_source": (
            view(dict(dc["source_counts"]), DC_SOURCE_CHANNELS),
            covered(DC_SOURCE_CHANNELS),
        ),
        "nyc311": (view(nyc311, NYC311_CHANNELS), covered(NYC311_CHANNELS)),
    }
    mix = pooled_shares(sources, CHANNELS, 0.0)
    shares = {
        name: {ch: counts[ch] / sum(counts[c] for c in cov) for ch in sorted(cov)}
        for name, (counts, cov) in sources.items()
    }
    return rounded_shares(mix, 6), shares


def channel_mix_by_service(
    codes: list[str], boston: list[dict[str, Any]], la: list[dict[str, Any]], dc: dict[str, Any]
) -> dict[str, dict[str, float]]:
    """Per-code channel mix from the sources that carry channel per request type."""
    per_code: dict[str, list[tuple[Counter[str], float]]] = defaultdict(list)

    def add(
        by_type: Mapping[Any, Counter[str]],
        mapping: Mapping[Any, str | Split],
        channels: Mapping[str, str | None],
        alpha: float,
        excluded: Iterable[str] = (),
    ) -> None:
        pooled: dict[str, Counter[str]] = defaultdict(Counter)
        for type_name, counts in by_type.items():
            if type_name not in mapping:
                continue
            for code, fraction in split_of(mapping[type_name]).items():
                for source_channel, n in counts.items():
                    channel = channels.get(source_channel)
                    if channel:
                        pooled[code][channel] += n * fraction
        for code, counts in pooled.items():
            if code not in excluded and sum(counts.values()) >= MIN_ROWS_FOR_CHANNELS:
                per_code[code].append((counts, alpha))

    boston_by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for row in boston:
        boston_by_type[row["TYPE"]][row["Source"]] += 1
    add(boston_by_type, BOSTON_MAP, BOSTON_CHANNELS, ALPHA["boston"], BOSTON_NOT_COVERED)
    la_by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for row in la:
        la_by_type[row["type"]][row["source"]] += 1
    add(la_by_type, LA_MAP, LA_CHANNELS, ALPHA["la"])
    dc_by_service: dict[str, Counter[str]] = defaultdict(Counter)
    for year in dc["methods"].values():
        for service, by_source in year.get("source_by_service", {}).items():
            dc_by_service[service].update(by_source)
    add(dc_by_service, DC_MAP, DC_SOURCE_CHANNELS, ALPHA["dc"])

    result = {}
    for code in codes:
        views = per_code.get(code)
        if not views:
            continue
        mix = dict.fromkeys(CHANNELS, 0.0)
        total_alpha = sum(a for _, a in views)
        for counts, alpha in views:
            n = sum(counts.values())
            for channel, count in counts.items():
                mix[channel] += alpha * count / n / total_alpha
        result[code] = rounded_shares(mix, 4)
    return result


def lognormal_p90(median: float, mean: float | None) -> float:
    """p90 of a log-normal with the given median and mean (mean <= median: assume sigma 1)."""
    sigma = 1.0
    if mean and median and mean > median:
        sigma = math.sqrt(2 * math.log(mean / median))
    return median * math.exp(1.2816 * sigma)


def resolution_days(
    codes: list[str],
    sd_types: list[dict[str, Any]],
    boston: list[dict[str, Any]],
    la: list[dict[str, Any]],
    nyc: list[dict[str, Any]],
    nyc311: list[dict[str, Any]],
) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    estimates: dict[str, list[tuple[float, float, float]]] = defaultdict(list)  # (med, p90, w)
    overall: list[tuple[float, float, float]] = []

    def from_rows(
        durations: dict[Any, list[float]],
        mapping: Mapping[Any, str | Split],
        alpha: float,
        excluded: Iterable[str] = (),
    ) -> None:
        pooled: dict[str, list[float]] = defaultdict(list)
        everything: list[float] = []
        for type_name, values in durations.items():
            everything.extend(values)
            if type_name in mapping:
                for code in split_of(mapping[type_name]):
                    pooled[code].extend(values)
        for code, values in pooled.items():
            if code not in excluded and len(values) >= MIN_ROWS_FOR_RESOLUTION:
                estimates[code].append((statistics.median(values), quantile(values, 0.9), alpha))
        overall.append((statistics.median(everything), quantile(everything, 0.9), alpha))

    def days_between(start: datetime | date | None, end: datetime | date | None) -> float | None:
        if start is None or end is None or end < start:
            return None
        return (
            (end - start).total_seconds() / 86400
            if isinstance(start, datetime)
            else float((end - start).days)
        )

    boston_d: dict[str, list[float]] = defaultdict(list)
    for row in boston:
        d = days_between(row["open"], row["closed"])
        if d is not None:
            boston_d[row["TYPE"]].append(d)
    from_rows(boston_d, BOSTON_MAP, ALPHA["boston"], BOSTON_NOT_COVERED)

    la_d: dict[str, list[float]] = defaultdict(list)
    for row in la:
        d = days_between(row["open"], row["closed"])
        if d is not None:
            la_d[row["type"]].append(d)
    from_rows(la_d, LA_MAP, ALPHA["la"])

    nyc_d: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in nyc:
        d = days_between(row["opendate"], row["closedate"])
        if d is not None:
            nyc_d[(row["complaint_type"], row["descriptor"])].append(d)
    from_rows(nyc_d, NYC_COUNCIL_MAP, ALPHA["nyc_council"])

    nyc311_d: dict[str, list[float]] = defaultdict(list)
    for row in nyc311:
        d = days_between(row["open"], row["closed"])
        if d is not None:
            nyc311_d[row["type"]].append(d)
    from_rows(nyc311_d, NYC311_MAP, ALPHA["nyc311"])

    # San Diego: per-type median and mean only; p90 from a fitted log-normal.
    sd_pooled: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    sd_all = []
    for row in sd_types:
        median, mean = row["median_resolution_days"], row["avg_resolution_days"]
        if median is None or row["closed_requests"] < MIN_ROWS_FOR_RESOLUTION:
            continue
        p90 = lognormal_p90(median, mean)
        sd_all.append((median, p90, row["closed_requests"]))
        if row["service_name"] in SD_MAP:
            for code, fraction in split_of(SD_MAP[row["service_name"]]).items():
                sd_pooled[code].append((median, p90, row["closed_requests"] * fraction))
    for code, parts in sd_pooled.items():
        med = geometric_mean([(m, w) for m, _, w in parts])
        p90 = geometric_mean([(p, w) for _, p, w in parts])
        estimates[code].append((med, p90, ALPHA["sd"]))
    overall.append(
        (
            geometric_mean([(m, w) for m, _, w in sd_all]),
            geometric_mean([(p, w) for _, p, w in sd_all]),
            ALPHA["sd"],
        )
    )

    fallback = {
        "median": round(geometric_mean([(m, w) for m, _, w in overall]), 1),
        "p90": round(geometric_mean([(p, w) for _, p, w in overall]), 1),
    }
    # "_default" is the overall figure, for a service added to the catalogue after this ran.
    result = {"_default": dict(fallback)}
    for code in codes:
        parts = estimates.get(code)
        if not parts:
            result[code] = dict(fallback)
            continue
        med = geometric_mean([(m, w) for m, _, w in parts])
        p90 = max(geometric_mean([(p, w) for _, p, w in parts]), med)
        result[code] = {"median": round(max(med, 0.1), 1), "p90": round(max(p90, 0.1), 1)}
    return result, {"fallback": fallback, "with_data": sorted(estimates)}


def closed_share(
    sd_monthly: list[dict[str, Any]],
    boston: list[dict[str, Any]],
    la: list[dict[str, Any]],
    nyc: list[dict[str, Any]],
) -> tuple[float, dict[str, float]]:
    """Share closed among requests opened at least 30 days before each source's last request.

    The mean of the four sources' shares, each source counted once.
    """
    shares: dict[str, float] = {}

    last = max(r["open"] for r in boston if r["open"])
    old = [r for r in boston if r["open"] and r["open"] <= last - timedelta(days=30)]
    shares["boston"] = sum(r["CASE_STATUS"] == "Closed" for r in old) / len(old)

    la_old: list[dict[str, Any]] = []
    for name in {r["file"] for r in la}:
        rows = [r for r in la if r["file"] == name]
        snapshot = max(r["updated"] for r in rows if r["updated"])
        la_old += [r for r in rows if r["open"] and r["open"] <= snapshot - timedelta(days=30)]
    shares["la"] = sum(r["status"] == "Closed" for r in la_old) / len(la_old)

    last_day = max(r["opendate"] for r in nyc if r["opendate"])
    nyc_old = [r for r in nyc if r["opendate"] and r["opendate"] <= last_day - timedelta(days=30)]
    shares["nyc_council"] = sum(r["closedate"] is not None for r in nyc_old) / len(nyc_old)

    last_month = max(r["request_month_start"] for r in sd_monthly)
    cutoff = last_month - timedelta(days=31)
    sd_old = [r for r in sd_monthly if r["request_month_start"] < cutoff]
    shares["sd"] = sum(r["closed_requests"] for r in sd_old) / sum(
        r["total_requests"] for r in sd_old
    )
    return round(statistics.fmean(shares.values()), 3), {k: round(v, 3) for k, v in shares.items()}


def hour_of_week(sd_day_hour: list[dict[str, Any]]) -> list[float]:
    """San Diego's 7x24 counts; its request_dow is 0 = Sunday (Sunday is the quietest day)."""
    counts = [0.0] * 168
    for row in sd_day_hour:
        monday_based = (row["request_dow"] + 6) % 7
        counts[monday_based * 24 + row["request_hour"]] += row["request_count"]
    total = sum(counts)
    shares = [c / total for c in counts]
    rounded = [round(s, 6) for s in shares]
    peak = max(range(168), key=lambda i: rounded[i])
    rounded[peak] = round(rounded[peak] + 1.0 - sum(rounded), 6)
    return rounded


def month_of_year(sd_monthly: list[dict[str, Any]], dc: dict[str, Any]) -> list[float]:
    """Mean of each complete year's month shares (removes growth), San Diego 2017-2025 and DC
    2013-2025 (DC's earlier years are a partial backfill), then the mean of the two cities."""

    def per_year_shares(pairs: Iterable[tuple[int, int, float]], years: range) -> list[float]:
        by_year: dict[int, list[float]] = defaultdict(lambda: [0.0] * 12)
        for year, month, count in pairs:
            if year in years:
                by_year[year][month - 1] += count
        profiles = [[c / sum(v) for c in v] for v in by_year.values()]
        return [statistics.fmean(p[m] for p in profiles) for m in range(12)]

    sd = per_year_shares(
        (
            (r["request_month_start"].year, r["request_month_start"].month, r["total_requests"])
            for r in sd_monthly
        ),
        range(2017, 2026),
    )
    dc_profile = per_year_shares(
        ((int(m[:4]), int(m[5:7]), n) for m, n in dc["by_month"]), range(2013, 2026)
    )
    mixed = [(a + b) / 2 for a, b in zip(sd, dc_profile, strict=True)]
    total = sum(mixed)
    rounded = [round(x / total, 6) for x in mixed]
    peak = max(range(12), key=lambda i: rounded[i])
    rounded[peak] = round(rounded[peak] + 1.0 - sum(rounded), 6)
    return rounded


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=DEMO_DATA / "calibration.json")
    parser.add_argument("--catalogue", type=Path, default=DEMO_DATA / "catalogue.json")
    args = parser.parse_args(argv)

    with args.catalogue.open(encoding="utf-8") as fh:
        codes = [s["code"] for s in json.load(fh)["services"]]

    data = Data(args.data_dir.resolve())
    sd_types = data.sd_table("top_problem_types")
    sd_monthly = data.sd_table("monthly_trends")
    sd_day_hour = data.sd_table("day_hour_patterns")
    sd_origin = data.sd_table("case_origin")
    boston = data.boston_rows()
    la = data.la_rows()
    nyc = data.nyc_council_rows()
    dc = data.dc()
    nyc311 = data.nyc311_channels()
    nyc311_rows = data.nyc311_rows()

    weights, weight_views = service_weights(data, codes, sd_types, boston, la, nyc, dc)
    mix, _per_source_mix = channel_mix(sd_origin, boston, la, dc, nyc311)
    by_service = channel_mix_by_service(codes, boston, la, dc)
    resolution, resolution_info = resolution_days(codes, sd_types, boston, la, nyc, nyc311_rows)
    closed, closed_by_source = closed_share(sd_monthly, boston, la, nyc)
    how = hour_of_week(sd_day_hour)
    moy = month_of_year(sd_monthly, dc)

    uncovered = sorted(c for c in codes if not any(c in v for v in weight_views.values()))
    no_resolution = sorted(set(codes) - set(resolution_info["with_data"]))
    notes = (
        "service_weights: request types of San Diego (top_problem_types), Boston 2015 "
        "(row counts per TYPE), Washington DC (service counts in agg.json), Los Angeles "
        "(two sample windows) and NYC Council casework were mapped onto our codes (see the "
        "*_MAP dicts in scripts/calibrate_demo.py). Each source only tells how its mapped "
        "requests divide among the codes it can express, so weights are the fixed point of "
        "an alpha-weighted average of each source's within-coverage share times the current "
        f"weight of that coverage (alpha: {json.dumps(ALPHA)}). Boston's 2015 extract lacks "
        "its five biggest types, so pothole, snow, sweeping, bulk pickup and parking are not "
        f"taken from Boston. Every code was given at least {FLOOR_SHARE} before "
        f"renormalising; codes no source covers: {', '.join(uncovered) or 'none'}. "
        "channel_mix: the same fixed point over channel counts from Boston Source, LA "
        "RequestSource, San Diego case_origin, DC device, origin and source splits, and NYC "
        "311 (2022 sample); staff-generated, driver reports and unknown origins left out. "
        "channel_mix_by_service: Boston, LA and DC per type with >= "
        f"{MIN_ROWS_FOR_CHANNELS} requests, alpha-weighted. "
        "closed_share: mean over Boston, LA, NYC Council and San Diego of the share closed "
        "among requests opened 30+ days before the source's last record "
        f"({json.dumps(closed_by_source)}). "
        "resolution_days: open-to-close days; medians and p90 from rows (Boston, LA, NYC "
        "Council, NYC 311 2011 and 2013 extracts; >= 30 closed rows per code) and San "
        "Diego per-type medians with p90 from a log-normal fitted to the median and mean; "
        "sources combined by alpha-weighted "
        "geometric mean. Codes without data use the overall figure "
        f"{json.dumps(resolution_info['fallback'])}: {', '.join(no_resolution) or 'none'}. "
        "hour_of_week: San Diego day_hour_patterns (local time; dow 0 = Sunday re-based to "
        "Monday = 0). month_of_year: mean month profile of complete years, San Diego "
        "monthly_trends 2017-2025 and DC by_month 2013-2025, averaged."
    )
    output = {
        "generated_from": data.used,
        "service_weights": weights,
        "channel_mix": mix,
        "channel_mix_by_service": by_service,
        "closed_share": closed,
        "resolution_days": resolution,
        "hour_of_week": how,
        "month_of_year": moy,
        "notes": notes,
    }
    args.out.write_text(json.dumps(output, indent=1) + "\n", encoding="utf-8")

    print(f"wrote {args.out}")
    print(f"sources: {', '.join(data.used)}")
    print(f"closed share {closed} (by source {closed_by_source})")
    print("channel mix: " + ", ".join(f"{k} {v:.1%}" for k, v in mix.items()))
    print(f"\n{'service':<24}{'weight':>8}{'median d':>10}{'p90 d':>8}  weight from")
    for code in sorted(codes, key=lambda c: -weights[c]):
        seen = [name for name, view in weight_views.items() if code in view]
        print(
            f"{code:<24}{weights[code]:>8.4f}{resolution[code]['median']:>10.1f}"
            f"{resolution[code]['p90']:>8.1f}  {','.join(seen) or '(floor)'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
