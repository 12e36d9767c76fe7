"""GB/T 2260 regions: seeds, region and region-group mentions with offsets, and an article's primary region.

Usage (build the gazetteer once; it is immutable and safe to share):

    gazetteer = RegionGazetteer.load()
    mentions = gazetteer.find_mentions(text, published=date(2022, 2, 25), home_region="120000")
    groups = gazetteer.find_group_mentions(text)
    primary = gazetteer.primary_region(mentions, title=title, home_region="120000")

Decisions worth knowing:
- A mention is an explicit name (full 凉山彝族自治州, alias 凉山州 or short 凉山), also when it names an
  organisation of the place (天津师范大学). One-character abbreviations (京, 津, 冀) and nicknames are not.
- Groups (京津冀, 长三角, 大湾区, 雄安新区) are only group mentions; they never produce member mentions,
  because the text does not name the members and counting them would swamp the primary region.
- Old names resolve to the code valid at `published` (崇文区: 110103 before 2010, 110101 after); without
  a date, to the name's own code.
"""

from rnw.regions.matcher import GroupMention, RegionGazetteer, RegionMention

__all__ = ["GroupMention", "RegionGazetteer", "RegionMention"]
