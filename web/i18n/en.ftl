# Lectern pages, English. Plurals use CLDR categories: one, other.

skip-to-content = Skip to content
nav-label = Main
nav-catalog = Courses
nav-learn = My learning
nav-wishlist = Wishlist
nav-notifications = Notifications
nav-account = Account
nav-signin = Sign in
nav-signup = Sign up
unread = { $n ->
    [one] unread
   *[other] unread
}
paid-not-yet = Paid enrollment opens soon. Add the course to your wishlist to hear about it.
signout = Sign out
footer-sitemap = Sitemap
breadcrumbs = Breadcrumbs

home-description = { $school }: online courses in English and Russian. Learn at your own pace, track your progress, and read honest reviews.
home-heading = Learn something new today
home-lead = Courses by practising teachers. Start free, learn at your pace, pick up where you left off on any device.
home-categories = Categories
home-popular = Popular courses
home-top-rated = Top rated
home-new = New courses
see-all = See all

search-label = Search courses
search-placeholder = Search courses, e.g. “python”
search-button = Search
search-suggestions = Suggestions

catalog-title = All courses
catalog-results-for = Results for “{ $q }”
catalog-description = Browse every course at { $school }: filter by category, level, language and price.
category-description = { $category }: courses with lessons, progress tracking and reviews.
filters = Filters
filter-category = Category
filter-level = Level
filter-price = Price
filter-language = Language
any = Any
sort-label = Sort by
sort-relevance = Best match
sort-popularity = Most popular
sort-rating = Highest rated
sort-newest = Newest
sort-price-asc = Price: low to high
sort-price-desc = Price: high to low
apply-filters = Apply
courses-found = { $n ->
    [one] { $n } course
   *[other] { $n } courses
}
no-results = No courses match. Check the spelling or remove a filter.
clear-filters = Clear all filters
pages = Pages
first-page = First page
next-page = Next page

level-beginner = Beginner
level-intermediate = Intermediate
level-advanced = Advanced
price-free = Free
price-paid = Paid
lessons = { $n ->
    [one] { $n } lesson
   *[other] { $n } lessons
}
lessons-done = { $n ->
    [one] { $n } lesson done
   *[other] { $n } lessons done
}
reviews = { $n ->
    [one] { $n } review
   *[other] { $n } reviews
}
students = { $n ->
    [one] { $n } student
   *[other] { $n } students
}
courses-by-teacher = { $n ->
    [one] { $n } course
   *[other] { $n } courses
}
duration-hours = { $n } h
duration-minutes = { $n } min
rating-label = { $n ->
    [one] Rated { $n } star out of 5
   *[other] Rated { $n } stars out of 5
}
no-reviews-yet = No reviews yet
course-cover = Course cover

taught-by = Taught by
course-about = About this course
curriculum = Curriculum
teacher = Teacher
teacher-description = Courses by { $name }.
video = Video
text = Reading
preview = Free preview
enroll-free = Enroll for free
enroll-paid = Buy course
signup-to-enroll = Sign up to enroll
start-learning = Start learning
continue-learning = Continue learning
review-course = Review the course
course-completed = Completed
progress = Progress
progress-text = { $percent }% complete
progress-template = { $done } of { $total ->
    [one] { $total } lesson
   *[other] { $total } lessons
} · { $percent }%
wish-add = Add to wishlist
wish-remove = On your wishlist
save-failed = Could not save.
load-failed = Could not load.
retry = Retry

reviews-title = Reviews
review-write = Write a review
review-rating = Your rating
review-choose = Choose…
review-text = Your review (optional)
review-submit = Post review
review-saved = Thank you for your review!
review-need-rating = Choose a rating first.
more-reviews = More reviews

learn-title = My learning
learn-empty = You are not enrolled in any course yet.
lesson-of = Lesson { $position } of { $count }
lesson-done = Completed
mark-complete = Mark as complete
lesson-nav = Lessons
prev-lesson = Previous
next-lesson = Next
watch-video = Watch the video
lesson-attachments = Files for this lesson
course-complete-title = Course complete!
course-complete-text = You finished every lesson. Well done.
leave-review = Leave a review

wishlist-title = Wishlist
wishlist-empty = Your wishlist is empty.
notifications-title = Notifications
notifications-empty = No notifications yet.
mark-all-read = Mark all as read
mark-read = Mark as read
read = Read

signup-title = Create your account
signup-description = Create a free account at { $school } to enroll in courses and track your progress.
signup-lead = Free, and takes a minute.
signup-submit = Create account
have-account = Already have an account?
signin-title = Sign in
signin-description = Sign in to { $school } to continue learning.
signin-submit = Sign in
no-account = New here?
forgot-link = Forgot your password?
field-name = Your name
field-email = Email
field-password = Password
field-new-password = New password
field-current-password = Current password
field-language = Language
password-hint = At least 8 characters.
form-email-taken = An account with this email already exists. Sign in instead?
form-invalid-credentials = The email or password is not correct.
form-account-locked = This account is locked by the school's administrators. Contact them to have it unlocked.
form-too-many = Too many attempts. Wait a few minutes and try again.
form-invalid-token = This link has expired or was already used. Ask for a new one.

verify-title = Confirm your email
verify-done = Your email is confirmed. Thank you!
verify-failed = This confirmation link has expired or was already used.
forgot-title = Reset your password
forgot-lead = Enter your email and we will send you a link to set a new password.
forgot-submit = Send the link
forgot-sent = If an account exists for this email, a reset link is on its way. The link works for one hour.
reset-title = Choose a new password
reset-submit = Set password
reset-new-link = Ask for a new link
reset-done = Your password has been changed. Sign in with the new one.

account-title = Account
account-profile = Profile
account-password = Password
account-change-password = Change password
account-saved = Your profile is saved.
account-password-saved = Your password is changed. Other devices have been signed out.
email-verified = confirmed
email-unverified = not confirmed yet
save = Save

error-home = Go to the home page
error-400-title = Something is wrong with this request
error-400-message = Check the address or the form and try again.
error-402-title = This course is paid
error-402-message = Paid enrollment is not available yet. Free courses are open to everyone.
error-403-title = You cannot open this page
error-403-message = It belongs to someone else, or you need to enroll first.
error-404-title = Page not found
error-404-message = The page you are looking for does not exist or has moved.
error-409-title = This was already done
error-409-message = Nothing changed. Go back and reload the page.
error-422-title = Some fields need attention
error-422-message = Go back, correct the form and send it again.
error-429-title = Too many requests
error-429-message = Please wait a moment and try again.
error-500-title = Something went wrong
error-500-message = We could not show this page. Try again in a moment.
error-503-title = Temporarily unavailable
error-503-message = The school is busy or under maintenance. Try again shortly.
offline-title = You are offline
offline-message = This page is not saved on this device. Lessons you opened before are still readable.

month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec

fe-must-be-at-least-8-characters = must be at least 8 characters

## Buying a course
buy-course = Buy the course
signup-to-buy = Sign up to buy
pay-with = Pay with
provider-stripe = Card (Stripe)
provider-yookassa = YooKassa
provider-test = Test payment
order-title = Your order
orders-title = My purchases
orders-empty = You have not bought any course yet.
orders-course = Course
orders-date = Date
orders-total = Total
orders-status = Status
order-pending = Waiting for the payment
order-paid = Paid
order-failed = Payment failed
order-canceled = Canceled
order-expired = Expired
order-review = Being checked
order-refunded = Refunded
order-partially-refunded = Partly refunded
order-pending-wait = We are waiting for the payment provider to confirm. This page updates by itself.
order-paid-enrolled = Payment received: you are enrolled. Enjoy the course!
order-review-wait = The payment did not match the order, so we are checking it by hand. You will hear from us; nothing more is charged.
order-failed-why = The payment did not go through and nothing was charged. You can try again.
order-try-again = Try again
paytest-title = Test payment
paytest-explain = This school takes test payments: no money moves. Choose what the payment provider should answer.
paytest-pay = Pay
paytest-decline = Decline
coupon-code = Coupon code (optional)

## Refunds (the buyer's side)
orders-refunded = Refunded
order-refunded-amount = Given back
order-refunded-explain = The payment was given back to you in full, so the course is no longer in your learning.
refund-requested = Refund requested
refund-pending-explain = You asked for a refund on { $date }. The school will look at it soon; you will get an email when the money is on its way.
refund-ask-title = Ask for a refund
refund-ask-explain = Changed your mind? You can ask for your { $amount } back.
refund-rules = { $n ->
    [one] Refunds are given within { $n } day of the payment
   *[other] Refunds are given within { $n } days of the payment
}, if you have completed less than { $percent }% of the lessons.
refund-reason = Why do you want a refund?
refund-reason-help = Between 3 and 1000 characters. The school reads it.
refund-ask = Ask for a refund
refund-reason-invalid = Please tell us why, in 3 to 1000 characters.
refund-refused-window = The refund period for this order is over, so a refund cannot be asked for any more.
refund-refused-progress = You have completed too much of this course for a refund.
refund-refused-not-refundable = This order has nothing left to refund.
refund-provider-unavailable = The payment provider refused the refund or could not be reached. Nothing changed; try again later.

## Earnings and payouts (teachers)
nav-earnings = Earnings
earnings-title = Earnings
earnings-hold = { $n ->
    [0] Your share of a sale can be paid out at once.
    [one] Your share of a sale is pending for { $n } day after the payment, while the buyer may still ask for a refund.
   *[other] Your share of a sale is pending for { $n } days after the payment, while the buyer may still ask for a refund.
}
earnings-explain = What is available can be asked for as a payout. Money under a payment dispute is frozen until the dispute is settled.
earnings-empty = No sales yet. Your earnings will show here after your first sale.
earnings-currency = Currency
earnings-pending = Pending
earnings-available = Available
earnings-frozen = Frozen
earnings-requested = Requested
earnings-paid-out = Paid out
payout-request-title = Ask for a payout
payout-available-option = { $amount } available
payout-amount = Amount (optional)
payout-amount-help = Leave empty to be paid everything available.
payout-minimum = The smallest payout is { $amount }.
payout-request = Ask for a payout
payout-unavailable = This payout cannot be made: it must be at least the smallest payout and no more than what is available.
payout-decided = This payout has already been decided.
amount-invalid = Enter an amount such as 25 or 25.50, or leave it empty.
payouts-title = Your payouts
payouts-empty = You have not asked for a payout yet.
payouts-requested-on = Requested
payouts-amount = Amount
payouts-note = Reference or reason
payouts-decided-on = Decided
payouts-reference = Bank reference: { $reference }
payout-requested = Requested
payout-paid = Paid
payout-rejected = Rejected

## The admin's money pages
nav-admin-orders = Orders
nav-admin-payouts = Payouts
nav-admin-ledger = Ledger
admin-nav-label = School administration
admin-filters = Filters
filter-any = Any
admin-orders-title = All orders
admin-orders-empty = No orders match these filters.
admin-orders-back = Back to all orders
admin-provider = Provider
admin-buyer = Buyer
admin-teacher = Teacher
admin-refund-requested-only = Only orders with a refund request
admin-order-title = Order
admin-order-id = Order number
admin-price = Price
admin-discount = Discount
admin-disputed = Disputed
admin-paid-at = Paid on
admin-refund-request = The buyer's refund request
admin-refund-request-on = Asked on { $date }:
admin-refund-title = Refund
admin-refund-amount = Amount (optional)
admin-refund-amount-help = Leave empty to refund everything left ({ $amount }).
admin-refund-reason = Reason (kept in the log)
admin-refund = Refund
admin-refund-refused = This amount cannot be refunded: it must be more than zero and no more than what is left of the payment.
refund-admin-reason-invalid = Give a reason of 3 to 1000 characters.
admin-payouts-title = Payouts
admin-payouts-empty = No payouts match this filter.
admin-payouts-csv = Download CSV for the bank
admin-payout-reference = Bank reference
admin-payout-mark-paid = Mark paid
admin-payout-reason = Reason
admin-payout-reject = Reject
payout-reference-invalid = Enter the bank's reference of the transfer (up to 200 characters).
payout-reason-invalid = Give the teacher a reason of 3 to 1000 characters.
admin-ledger-title = Ledger
admin-ledger-explain = Every movement of money, newest first. Debits are what the school holds or is owed; credits are what it owes.
admin-ledger-empty = Nothing has been recorded yet.
admin-ledger-order = The order
admin-ledger-payout = Payout
admin-ledger-account = Account
admin-ledger-debit = Debit
admin-ledger-credit = Credit
ledger-at = { $date }, { $time } UTC
ledger-sale = Sale
ledger-refund = Refund
ledger-dispute = Dispute
ledger-release = Hold ended
ledger-payout-requested = Payout requested
ledger-payout-paid = Payout paid
ledger-payout-rejected = Payout rejected

# Email preferences (account page) and the unsubscribe page.
account-email = Email
account-email-hint = Receipts, password resets and other essential messages are always sent.
account-email-reminders = Lesson reminders when I have not studied for a few days
account-email-digests = A daily summary of new students and reviews (teachers)
account-email-product-news = News about the school
account-email-saved = Your email preferences are saved.
unsubscribe-title = Unsubscribe
unsubscribe-confirm = Stop sending { $list } to this address?
unsubscribe-button = Unsubscribe
unsubscribe-done-title = You are unsubscribed
unsubscribe-done = You will no longer get { $list }. You can turn them back on at any time on your account page.
unsubscribe-invalid = This unsubscribe link is not valid (it may be incomplete). Sign in and change your email preferences on your account page instead.
unsubscribe-manage = Email preferences
unsubscribe-list-reminders = lesson reminders
unsubscribe-list-digests = daily digests
unsubscribe-list-product-news = school news
## Certificates (the PDF and the verification page)
cert-title = Certificate of completion
cert-certifies = This certifies that
cert-completed = has completed the course
cert-taught-by = taught by { $teacher }
cert-date = Date
cert-code = Certificate no.
cert-verify-at = Verify this certificate at
cert-revoked-banner = REVOKED: { $reason }
cert-long-date = { $month } { $day }, { $year }
cert-month-1 = January
cert-month-2 = February
cert-month-3 = March
cert-month-4 = April
cert-month-5 = May
cert-month-6 = June
cert-month-7 = July
cert-month-8 = August
cert-month-9 = September
cert-month-10 = October
cert-month-11 = November
cert-month-12 = December
cert-page-title = Certificate: { $course }
cert-valid = Valid certificate, issued by { $school }
cert-revoked = This certificate was revoked on { $date }.
cert-revoked-reason = Reason: { $reason }
cert-student = Awarded to
cert-course = Course
cert-teacher = Teacher
cert-completed-on = Completed on
cert-school = Issued by
cert-number = Certificate no.
cert-download-pdf = Download the PDF
cert-open-badge = Open Badges 3.0 credential (signed VC-JWT)
cert-public-key = The school's public key (JWKS)
cert-linkedin = Add to LinkedIn
cert-verify-note = This page is the certificate's public record: anyone with its link or QR code can check it here. The Open Badges credential is signed with the school's key, so it can be checked without trusting this page.
cert-view = View certificate
cert-yours = Your certificate
cert-revoked-badge = Revoked
former-student = former student

## The admin console (/admin, /admin/users, /admin/audit)
nav-admin-console = Console
nav-admin-users = Users
nav-admin-audit = Audit log
console-title = Admin console
console-figures = The school in figures
console-figure = Figure
console-value = Value
console-note = Made of
console-users = Accounts
console-users-note = Students: { $students }, teachers: { $teachers }, admins: { $admins } (deleted accounts are not counted)
console-locked = Locked accounts
console-mau = Monthly active users
console-mau-note = Signed in or completed a lesson in the last 30 days
console-teachers-publishing = Teachers with a published course
console-courses = Courses
console-courses-note = Published: { $published }
console-enrollments = Enrollments
console-enrollments-note = Completed: { $completed }
console-completion = Completion rate
console-completion-note = Completed enrollments out of all enrollments
console-revenue = Revenue
console-revenue-note = Per currency: what the payment providers hold for the school (sales less refunds), and the school's fees.
console-revenue-empty = Nothing has been sold yet.
console-currency = Currency
console-taken = Taken
console-fees = Fees
console-areas = Administration
console-area-users = find accounts, change roles, lock and unlock
console-area-orders = every order, refund requests and refunds
console-area-payouts = teachers' payout requests and the bank's CSV
console-area-ledger = every movement of money
console-area-audit = every admin action, with who took it and why
role-student = Student
role-teacher = Teacher
role-admin = Admin
account-status-active = Active
account-status-locked = Locked
account-status-deleted = Deleted
admin-users-title = Users
admin-users-explain = Newest accounts first. Locking an account ends every one of its sessions at once: the person is signed out everywhere on their next request and cannot sign in until an admin unlocks the account. Every change asks for a reason, which is kept in the audit log.
admin-users-search = Email or name
admin-users-role = Role
admin-users-status = Status
admin-users-person = Person
admin-users-actions = Actions
admin-users-empty = No accounts match these filters.
admin-users-you = you
admin-users-joined = Joined { $date }
admin-users-last-active = last active { $date }
admin-users-new-role = New role
admin-users-change-role = Change role
admin-users-reason = Reason
admin-users-reason-optional = Reason (optional)
admin-users-lock = Lock
admin-users-unlock = Unlock
admin-users-done-role = The role is changed.
admin-users-done-lock = The account is locked, and all its sessions have ended.
admin-users-done-unlock = The account is unlocked.
admin-users-own-account = You cannot lock or demote your own account. Ask another admin.
admin-users-last-admin = The school must keep at least one admin who can act: make someone else an admin first.
admin-users-deleted = This account was deleted by its owner and cannot be changed.
admin-users-reason-invalid = Give a reason of 3 to 1000 characters; it is kept in the audit log.
admin-users-role-invalid = Choose a role: student, teacher or admin.
admin-audit-title = Audit log
admin-audit-explain = Every action an admin (or the school's automatic rules) took that affects someone, newest first. Entries are never changed or removed.
admin-audit-empty = Nothing has been recorded yet.
admin-audit-when = When
admin-audit-actor = Who
admin-audit-action = Action
admin-audit-target = What
admin-audit-reason = Reason
admin-audit-system = The system
audit-deleted-account = Deleted account
audit-target-order = Order { $id }
audit-target-payout = Payout { $id }
audit-target-certificate = Certificate { $id }
audit-user-role = Role changed
audit-user-lock = Account locked
audit-user-unlock = Account unlocked
audit-user-delete = Account deleted by its owner
audit-order-refund = Order refunded
audit-payout-paid = Payout marked paid
audit-payout-reject = Payout rejected
audit-certificate-revoke = Certificate revoked

## Personal data (account page)
account-data = Your data
account-data-hint = Download everything the school stores about you (your account, courses and progress, reviews, wishlist, notifications, orders, payouts, certificates, email preferences and active sign-ins) as one JSON file.
account-data-download = Download my data
account-delete = Delete my account
account-delete-warning = Deleting your account cannot be undone.
account-delete-gone = Your name, email, password, profile, notifications, email preferences and the name on your certificates are removed, and you are signed out everywhere.
account-delete-reviews = Your reviews stay on their courses, shown as written by a "former student".
account-delete-orders = Your orders and payments are kept, without your name or email, because the law requires the school to keep its financial records.
account-delete-again = You can sign up again with the same email later; it will be a new, empty account.
account-delete-password = Your password, to confirm
account-delete-button = Delete my account for good
account-delete-wrong-password = That password is not correct, so nothing was deleted.
account-deleted-title = Your account is deleted
account-deleted = Your account is deleted and you are signed out. Thank you for learning with us.
account-deleted-home = Go to the home page

## Moderation
nav-admin-moderation = Moderation
moderation-title = Moderation
moderation-sections = Queues
moderation-courses = Courses in review
moderation-courses-hint = A teacher's first course and any course the automatic checks flag waits here. (Teacher verification is not built yet: a teacher with a published course counts as trusted.)
moderation-reviews = Held reviews
moderation-reports = Reports
moderation-empty = Nothing waiting.
moderation-course = Course
moderation-review = Review
moderation-report = Report
moderation-evidence = Why
moderation-decision = Decision
moderation-approve = Publish
moderation-reject = Send back
moderation-reason = Reason (the person affected receives it)
moderation-publish = Publish
moderation-hide = Hide
moderation-action = Action
moderation-note = Statement of reasons
moderation-resolve = Resolve
moderation-not-pending = Someone decided on this already.
moderation-not-supported = This action does not apply here (locking accounts is not available yet).
moderation-reason-needed = Write a reason of at least 3 characters.
screen-reason-link = a link
screen-reason-contact = contact details
screen-reason-promotion = promotion
screen-reason-abuse = profanity or insults
screen-reason-shouting = shouting (capitals)
screen-reason-repetition = repeated characters
screen-reason-new-account = a brand-new account
screen-reason-burst = many reviews in minutes
screen-reason-duplicate = the same text elsewhere
screen-reason-few-lessons = few lessons with content
screen-reason-short-description = a short description
screen-reason-first-course = the teacher's first course
report-target-course = Course
report-target-review = Review
report-target-teacher = Teacher
report-target-lesson = Lesson
report-target-question = Question
report-target-answer = Answer
report-reason-spam = Spam or advertising
report-reason-abuse = Abuse or insults
report-reason-copyright = Copyright infringement
report-reason-misleading = Misleading
report-reason-other = Something else
report-action-dismiss = Dismiss (nothing wrong)
report-action-hide = Hide
report-action-unpublish = Unpublish the course
report-action-lock-user = Lock the account
report-review = Report this review
report-course = Report this course
report-reason = What is wrong?
report-details = Details (optional)
report-submit = Send the report
report-received-title = Report
report-received = Thank you. We received your report; a person will look at it, and you will be told the outcome.
report-already = You have reported this already; we will tell you the outcome.
report-back = Back to the page
review-pending = Awaiting moderation: only you can see this review until an admin checks it.
course-in-review = This course is waiting for an admin's review and is not public yet. You will be told the decision by notification and email.

## The studio: the course wizard and the editors
nav-studio = Studio
form-slug-taken = Another course already uses this address.
course-status-draft = Draft
course-status-published = Published
course-status-archived = Archived
course-status-in_review = In review
lesson-kind-text = Text
lesson-kind-video = Video
course-field-title = Title
course-field-title-help = What students will learn, in a few words (3 to 120 characters).
course-field-subtitle = Subtitle
course-field-category = Category
course-field-level = Level
course-field-language = Language of the course
course-field-description = Description (Markdown)
course-field-slug = Web address
course-field-slug-help = Lowercase letters, digits and hyphens: the end of the course page's address.
wizard-title = New course
wizard-progress = Steps of the new course
wizard-step-basics = Basics
wizard-step-description = Description
wizard-step-curriculum = First lesson
wizard-step-cover = Cover image
wizard-step-price = Price
wizard-step-publish = Publish
wizard-step-visited = visited
wizard-drafts = Your unfinished drafts
wizard-continue = Continue “{ $title }”
wizard-next = Save and continue
wizard-save-next = Save and continue
wizard-skip = Skip for now
wizard-open-editor = Open the full editor
wizard-description-help = Tell students what they will learn, for whom the course is, and what they need before starting. At least 20 words; Markdown works (**bold**, lists, links).
wizard-curriculum-more = Your course already has these lessons. Add another one, or leave the fields empty and continue.
wizard-module-placeholder = For example: Getting started
wizard-cover-help = A picture for the catalog and the course page: JPEG, PNG or WebP, at least 1280 × 720, up to 10 MB. Its metadata (location, camera) is removed.
checklist-title = Before publishing
checklist-done = done
checklist-required = required
checklist-advice = recommended
checklist-fix = Fix this
checklist-review-note = Required items must be done to publish. Without the recommended ones, an admin reviews the course before it becomes public; a teacher's first course is always reviewed.
checklist-subtitle = A subtitle that says what the course gives
checklist-description = A description
checklist-description_words = A description of at least 20 words
checklist-lessons = At least one lesson
checklist-lessons_with_content = At least 3 lessons with text or a video
checklist-cover = A cover image
studio-editor = Course editor
## Teacher studio: dashboard, course analytics, students
studio-title = Studio
studio-new-course = New course
studio-empty-title = Create your first course
studio-empty-text = Your studio shows how your courses are doing: students, progress, ratings and revenue. Start by creating a course; you can publish it when it is ready.
studio-create-first = Create your first course
studio-totals = Totals
studio-students = Students
studio-active = Active in 30 days
studio-completion = Completion rate
studio-revenue = Revenue
studio-rating = Rating
studio-no-rating = No ratings yet
studio-courses = Your courses
studio-course = Course
studio-recent-reviews = Recent reviews
studio-no-reviews = No reviews yet.
studio-stars = { $n ->
    [one] { $n } star
   *[other] { $n } stars
}
studio-course-nav = Course sections
studio-tab-editor = Editor
studio-tab-analytics = Analytics
studio-tab-students = Students
studio-view-page = View the course page
studio-details = Details
studio-curriculum = Curriculum
studio-pricing = Price
studio-publishing = Publishing
studio-preview = Preview
studio-cover = Cover image
studio-cover-file = Choose an image
studio-reorder-help = Drag modules and lessons by their handle, or use the arrow buttons: the new order is saved at once.
studio-module-title = Module title
studio-lesson-title = Lesson title
studio-lesson-body = Lesson text (Markdown)
studio-rename = Rename
studio-delete = Delete
studio-delete-named = Delete “{ $title }”
studio-move-up = Move “{ $title }” up
studio-move-down = Move “{ $title }” down
studio-delete-module-confirm = Delete this module with all its lessons? Students' progress in them is lost.
studio-delete-lesson-confirm = Delete this lesson? Students' progress in it is lost.
studio-new-lesson = New lesson
studio-add-lesson = Add lesson
studio-new-module = New module
studio-add-module = Add module
studio-preview-flag = free preview
studio-lesson-empty = empty
studio-current-price = Now: { $price }
studio-free = Free
studio-paid = Paid
studio-price = Price
studio-coupons = Coupons
studio-no-coupons = No coupons yet.
studio-coupon-code = Code
studio-coupon-discount = Discount
studio-coupon-uses = Used
studio-coupon-percent = Percent off
studio-coupon-create = Create coupon
studio-coupon-active = active
studio-coupon-inactive = inactive
studio-is-published = The course is public: anyone can find it in the catalog.
studio-publish = Publish
studio-published = Published: the course is in the catalog.
studio-in-review = Submitted: an admin reviews the course before it becomes public. You will get a notification and an email with the decision.
studio-unpublish = Unpublish
studio-unpublish-confirm = Take the course out of the catalog? Enrolled students keep their access.
studio-saved = Saved.
studio-saved-details = Details saved.
studio-saved-price = Price saved.
studio-saved-coupon = Coupon created.
studio-saved-publish = Submitted for publishing.
studio-saved-unpublish = The course is no longer public.
studio-lesson-editor = Lesson editor
studio-video = Video
studio-video-url = YouTube or Vimeo link
studio-video-url-help = Paste a link, or upload a video file below (MP4 or WebM).
studio-video-file = Upload a video file
studio-attachment-file = Attach a file (PDF or a document)
studio-minutes = Duration in minutes
studio-preview-lesson = Free preview: anyone can open this lesson
studio-conflict-title = This lesson was changed meanwhile
studio-conflict-explain = Someone (perhaps you, in another tab) saved a newer version after you opened this page. Nothing was overwritten.
studio-conflict-theirs = The saved version
studio-conflict-choose = Your text is still in the form below. Copy what you need, then save to replace the saved version, or take the saved version.
studio-conflict-take = Take the saved version
studio-conflict-keep = Save mine over it
studio-saving = Saving…
studio-save-failed = Not saved: { $reason }
studio-order-saved = New order saved.
teacher-verified = Verified teacher
moderation-verifications = Teacher verification
moderation-verifications-hint = Teachers who sent documents to be verified. Open each document, then approve, or reject with a reason the teacher is told.
moderation-documents = Documents
moderation-document-n = Document { $n }
verification-title = Teacher verification
verification-lead = Verified teachers carry a badge on their pages, and their courses that pass the automatic checks are published at once. Send an identity document or a diploma; only the school's admins can open it.
verification-none = You have not asked to be verified yet.
verification-pending = Sent on { $date }: an admin will look at your documents soon.
verification-approved = You are verified.
verification-rejected = Your last request was not approved. The reason:
verification-documents-help = PDF, JPEG or PNG, up to 20 MB each; at least one.
verification-note = A note for the admin (optional)
verification-send = Send for verification
signup-role = I want to
signup-role-student = learn
signup-role-teacher = teach: create and sell courses
studio-remove-video = Remove the uploaded video
studio-remove-cover = Remove the cover
studio-status-active = In progress
studio-status-completed = Completed
analytics-title = Analytics: { $course }
analytics-period = Period
analytics-from = From
analytics-to = To
analytics-show = Show
analytics-last-days = { $n ->
    [one] last day
   *[other] last { $n } days
}
analytics-new-students = New students in the period
analytics-refunds = Refunds in the period
analytics-enrollments = Enrollments per day
analytics-enrollments-alt = Bar chart of enrollments per day: { $count } in the period. The table below has every day.
analytics-completions = Completions
analytics-revenue = Revenue per day
analytics-revenue-alt = Bar chart of revenue per day: { $amount } in the period. The table below has every day with sales.
analytics-no-revenue = No sales in this period.
analytics-funnel = Lesson funnel
analytics-funnel-explain = How many students completed each lesson, in course order: where the bars drop is where students stop.
analytics-funnel-alt = Horizontal bar chart of students who completed each lesson, in course order. The table below has the numbers.
analytics-no-lessons = This course has no lessons yet.
analytics-ratings = Ratings
analytics-ratings-alt = Horizontal bar chart of published reviews per rating, five stars first. The table below has the numbers.
analytics-table = Show the numbers as a table
analytics-csv = Download as CSV
analytics-date = Date
analytics-lesson = Lesson
analytics-completed = Completed
analytics-share = Of students
analytics-reviews = Reviews
analytics-max = max
students-title = Students: { $course }
students-total = { $n ->
    [one] { $n } student enrolled
   *[other] { $n } students enrolled
}
students-search = Search students by name
students-csv = Download the students as CSV
students-empty = No students found.
students-name = Student
students-enrolled = Enrolled
students-progress = Progress
students-last-activity = Last activity
studio-meta-description = Create, edit and follow your courses: the teacher studio.
report-teacher = Report this teacher
report-lesson = Report this lesson

## Lesson Q&A
qa-notice-answered = New answer to your question “{ $title }”
qa-notice-accepted = An answer to your question “{ $title }” was accepted
qa-heading = Questions and answers
qa-ask = Ask a question
qa-title = Title
qa-body = Details (optional)
qa-submit = Post question
qa-answer = Your answer
qa-answer-submit = Post answer
qa-accept = Mark as accepted
qa-accepted = Accepted answer
qa-teacher = Teacher
qa-pending = Awaiting moderation
qa-hidden = Hidden by a moderator
qa-none = No questions yet. Ask the first one.
qa-answers = { $count ->
    [one] { $count } answer
   *[other] { $count } answers
}
qa-search = Search questions in this course
qa-search-submit = Search
qa-report = Report
qa-sent = Thanks: your post is awaiting moderation.
qa-recent = Recent questions
qa-recent-none = No questions from students yet.
qa-queue = Questions and answers
qa-queue-empty = No held questions or answers.
qa-kind-question = Question
qa-kind-answer = Answer

## Quizzes and locked modules
quiz-submit = Check my answers
quiz-retry = Try again
quiz-pass-mark = Pass mark: { $percent }%
quiz-attempts-left = { $left ->
    [one] One attempt left
   *[other] { $left } attempts left
}
quiz-attempts-used = { $used ->
    [one] One attempt used
   *[other] { $used } attempts used
}
quiz-no-attempts = You have used every attempt at this quiz.
quiz-passed = Passed with { $percent }%. The lesson is complete.
quiz-failed = { $percent }% — not enough to pass yet.
quiz-correct = Right
quiz-wrong = Not right
quiz-choose-several = Choose every right answer.
quiz-your-answer = Your answer
quiz-enroll = Enroll in the course to take this quiz.
quiz-teacher-note = You teach this course: your tries are graded but not recorded.
quiz-kind = Quiz
quiz-submit-failed = Could not submit your answers.
lesson-locked-title = This lesson is not open yet
lesson-locked-on = It opens on { $date }.
lesson-locked-after = It opens when you complete “{ $module }”.
module-locked-on = Opens on { $date }
module-locked-after = Opens after “{ $module }”
back-to-course = Back to the course
studio-add-quiz = Add a quiz
studio-quiz = Questions
studio-quiz-help = One question per block, blocks separated by a blank line. First line: the question. Then “* option” for a right option, “- option” for a wrong one (two right options make a multiple-choice question; add [multiple] after the question for one with a single right option), “= text” for each accepted short answer (case and spaces are ignored), “> text” for feedback shown after an attempt.
studio-quiz-pass = Pass mark, %
studio-quiz-attempts = Attempts (empty: unlimited)
studio-unlock = Opens
studio-unlock-days = days after enrollment
studio-unlock-on = on date
studio-unlock-after = after module
studio-unlock-none = at once
studio-unlock-save = Save opening
lesson-kind-quiz = Quiz
analytics-quizzes = Quizzes
analytics-quizzes-explain = Attempts since the quiz's questions last changed, and how often each question was answered right: the low ones are where students trip.
analytics-quiz-attempts = Attempts
analytics-quiz-passed = Passed
analytics-quiz-question = Question
analytics-quiz-correct = Answered right
qa-course-none = No questions in this course yet: ask one under a lesson.
qa-no-match = No question matches this search.
qa-older = Older questions
qa-all = All questions in this course
