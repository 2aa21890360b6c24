-- The centre's FAQ and knowledge base: articles by category, public (anyone, without login) or
-- for the entities' contacts only; "was this useful" votes counted on the article.
CREATE TABLE faq_articles (
    id {{pk}},
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    -- 1: on the public page; 0: for the entities' contacts and the centre's staff.
    public BIGINT NOT NULL DEFAULT 1,
    useful BIGINT NOT NULL DEFAULT 0,
    not_useful BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX faq_articles_category ON faq_articles (category, id);
-- Moved by every change of an article in the change's transaction: each process rebuilds its
-- search index when it finds a number other than the one it built from.
CREATE TABLE faq_revision (
    id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO faq_revision (id, n) VALUES (1, 0);
