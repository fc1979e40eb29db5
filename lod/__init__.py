"""lod: linked open data from archives of historical documents.

The flow is read -> link -> map -> serialize -> publish -> serve; each stage is a
subpackage, wired together by :mod:`lod.pipeline`.
"""

__version__ = "0.1.0"

#: Version of the record -> RDF mapping (profiles, IRIs, context). Bump it when the
#: triples produced for an unchanged record change, so harvesters can tell.
MAPPING_VERSION = "4"
