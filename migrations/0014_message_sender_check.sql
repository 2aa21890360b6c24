-- Whether the sender of a message that came by e-mail was authenticated by our receiving
-- server (issue 9): 1 yes (DMARC, or DKIM/SPF of the From: domain), 0 not known. NULL for
-- messages written in cst. A message that failed the checks is not in a thread at all: it is
-- kept for an operator.
ALTER TABLE ticket_messages ADD COLUMN sender_verified BIGINT;
