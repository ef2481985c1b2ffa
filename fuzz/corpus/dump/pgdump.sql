--
-- PostgreSQL database dump
--
CREATE TABLE public.accounts (
    id integer NOT NULL,
    email text,
    phone text
);
COPY public.accounts (id, email, phone) FROM stdin;
1	nina@example.com	+447911123456
2	\N	+14155550123
3	esc\\aped\t@x.com	
\.
