"""CSV imports of reviews from Judge.me, Yotpo and WooCommerce, on the stores import machinery.

`goodword import judgeme-reviews|yotpo-reviews|woocommerce-reviews FILE --store ST_ID` reads the file with
`stores.imports.reading` (physical line numbers, a UTF-8 BOM dropped, bad rows reported), turns each row into an
`ImportedReview` here and writes chunks with `writing.write_reviews`. Headers match whatever their case and
whether words are joined by spaces, `_` or `-`. Import the store's products (and orders, for verified badges)
first: a review of a product the store does not have is rejected, never creating the product.

Judge.me (Reviews > Export). Required: rating, body, review_date, and product_handle or product_id.
  rating → rating (1-5); title, body; review_date → written at (and published at, when shown);
  reviewer_name, reviewer_email; curated → status: ok → published, not-yet or empty → pending, spam → rejected
  (a `status` column with published/pending/hidden/rejected is read too); reply, reply_date → a public reply;
  product_sku (if present), then product_id, then product_handle are tried as SKUs, and the handle also as the
  end of a product URL (…/products/<handle>). The export has no review id: the id is a hash of product,
  reviewer, date, rating, title and body (an `id` column wins when present). source, location, picture_urls
  and any verified flag are kept in the note of the import decision; ip_address is not read.
Yotpo (Moderation > Export). Required: Review Score, Review Content, Date, and Product ID or Product Handle.
  Review ID (else a content hash); Review Title, Review Content; Review Score; Date; User Name, User Email;
  Review Status: Published → published, Pending or empty → pending, Unpublished/Archived → hidden,
  Rejected/Spam/Deleted → rejected; Product SKU, Product ID, Product Handle as for Judge.me; Comment Content
  → a reply, public when Comment Public is true, else private; Comment Created At; a Review Type of site/store
  review is rejected (goodword keeps product reviews). Reviewer Type, Product Title and Published Image URLs go
  to the note.
WooCommerce (the review export plugins). Required: rating or review_score, comment_content or
  review_content, and a product column (product_SKU, product_sku, sku, comment_post_ID or product_id).
  comment_ID or id (else a content hash); comment_date_gmt, else comment_date or date (UTC when without an
  offset); comment_author or display_name; comment_author_email or email; title; comment_approved or status:
  1/approved → published, 0/hold/pending → pending, trash → hidden, spam → rejected. A row with a
  comment_parent other than 0 is the shop's reply to the review with that comment_ID (in this file or an
  earlier import). verified and product_title go to the note.

What every format shares: a review is verified only when its email is a customer's of the store who has a paid
order of the product (that order is linked); an export's "verified" flag never makes it so. The status the
export gives is kept, through `change_status`, so the rating summary stays exact; each review's first
decision is by `import:<source>`. Photos (picture URLs) are not downloaded. Importing a file again finds each
review by (store, source, id) and changes nothing, not even if the source's status changed since.
"""
