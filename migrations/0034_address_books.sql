-- An entity's address books and send lists, shared by its users (IntranetCST's "contatti").
CREATE TABLE address_books (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (entity_id, name)
);
CREATE TABLE address_entries (
    id {{pk}},
    book_id BIGINT NOT NULL REFERENCES address_books (id),
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    mobile TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    fax TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    email2 TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX address_entries_book ON address_entries (book_id, name);
CREATE TABLE contact_lists (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (entity_id, name)
);
-- A recipient keeps its own copy of name and numbers; entry_id says where it came from.
CREATE TABLE contact_list_members (
    id {{pk}},
    list_id BIGINT NOT NULL REFERENCES contact_lists (id),
    entry_id BIGINT REFERENCES address_entries (id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX contact_list_members_list ON contact_list_members (list_id, name);
