"""The SPARQL 1.1 endpoint at ``/sparql``: read-only queries on the export's query store.

One module per job: :mod:`~lod.serve.sparql.protocol` reads and checks requests (the
SPARQL 1.1 Protocol's query operation), :mod:`~lod.serve.sparql.results` writes result
formats, :mod:`~lod.serve.sparql.workers` runs queries in worker processes with admission
control, and :mod:`~lod.serve.sparql.endpoint` is the route tying them together.

Limits (:class:`lod.serve.options.SparqlOptions`):

* **timeout** (10 s): the query's worker is killed and replaced; 503 ``query timed out``.
  Waiting for a free worker counts. The server's event loop never runs a query.
* **workers** (4) with admission control: at most ``workers - 1`` queries that have run
  longer than 1 s at once; one more is stopped (503, ``Retry-After``), so a short query
  always finds a worker within about a second while runaway queries run.
* **memory** (2048 MiB address space per worker): a query that needs more kills its
  worker; 503 ``query stopped: it needs more memory than allowed``.
* **result size** (10,000 rows / triples): the rest is cut, with ``200`` and
  ``X-Result-Truncated: true`` / ``X-Result-Limit: N`` (a client still gets the first N
  answers; ``LIMIT`` / ``OFFSET`` page through the rest).

The dataset (:mod:`lod.serve.store`): one named graph per document; the default graph
is their RDF merge, stored (each triple once); ``FROM`` / ``FROM NAMED`` and the
protocol's ``default-graph-uri`` / ``named-graph-uri`` choose others.
"""
