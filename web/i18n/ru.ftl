# Страницы Lectern по-русски. Формы множественного числа по CLDR: one, few, many, other.

skip-to-content = Перейти к содержимому
nav-label = Главное меню
nav-catalog = Курсы
nav-learn = Моё обучение
nav-wishlist = Избранное
nav-notifications = Уведомления
nav-account = Профиль
nav-signin = Войти
nav-signup = Регистрация
unread = { $n ->
    [one] непрочитанное
   *[other] непрочитанных
}
paid-not-yet = Оплата курсов скоро откроется. Добавьте курс в избранное, чтобы не пропустить.
signout = Выйти
footer-sitemap = Карта сайта
breadcrumbs = Навигационная цепочка

home-description = { $school }: онлайн-курсы на русском и английском. Учитесь в своём темпе, следите за прогрессом и читайте честные отзывы.
home-heading = Научитесь новому уже сегодня
home-lead = Курсы от практикующих преподавателей. Начните бесплатно, учитесь в своём темпе и продолжайте с того же места на любом устройстве.
home-categories = Категории
home-popular = Популярные курсы
home-top-rated = С высоким рейтингом
home-new = Новые курсы
see-all = Смотреть все

search-label = Поиск курсов
search-placeholder = Поиск курсов, например «python»
search-button = Найти
search-suggestions = Подсказки

catalog-title = Все курсы
catalog-results-for = Результаты по запросу «{ $q }»
catalog-description = Все курсы { $school }: фильтры по категории, уровню, языку и цене.
category-description = { $category }: курсы с уроками, отслеживанием прогресса и отзывами.
filters = Фильтры
filter-category = Категория
filter-level = Уровень
filter-price = Цена
filter-language = Язык
any = Все
sort-label = Сортировка
sort-relevance = По релевантности
sort-popularity = Сначала популярные
sort-rating = Сначала с высоким рейтингом
sort-newest = Сначала новые
sort-price-asc = Сначала дешевле
sort-price-desc = Сначала дороже
apply-filters = Применить
courses-found = { $n ->
    [one] { $n } курс
    [few] { $n } курса
    [many] { $n } курсов
   *[other] { $n } курса
}
no-results = Ничего не нашлось. Проверьте написание или уберите фильтр.
clear-filters = Сбросить фильтры
pages = Страницы
first-page = Первая страница
next-page = Следующая страница

level-beginner = Начальный
level-intermediate = Средний
level-advanced = Продвинутый
price-free = Бесплатно
price-paid = Платные
lessons = { $n ->
    [one] { $n } урок
    [few] { $n } урока
    [many] { $n } уроков
   *[other] { $n } урока
}
lessons-done = { $n ->
    [one] пройден { $n } урок
    [few] пройдено { $n } урока
    [many] пройдено { $n } уроков
   *[other] пройдено { $n } урока
}
reviews = { $n ->
    [one] { $n } отзыв
    [few] { $n } отзыва
    [many] { $n } отзывов
   *[other] { $n } отзыва
}
students = { $n ->
    [one] { $n } студент
    [few] { $n } студента
    [many] { $n } студентов
   *[other] { $n } студента
}
courses-by-teacher = { $n ->
    [one] { $n } курс
    [few] { $n } курса
    [many] { $n } курсов
   *[other] { $n } курса
}
duration-hours = { $n ->
    [one] { $n } час
    [few] { $n } часа
    [many] { $n } часов
   *[other] { $n } часа
}
duration-minutes = { $n ->
    [one] { $n } минута
    [few] { $n } минуты
    [many] { $n } минут
   *[other] { $n } минуты
}
rating-label = { $n ->
    [one] Оценка: { $n } звезда из 5
    [few] Оценка: { $n } звезды из 5
   *[other] Оценка: { $n } звёзд из 5
}
no-reviews-yet = Отзывов пока нет
course-cover = Обложка курса

taught-by = Преподаватель:
course-about = О курсе
curriculum = Программа
teacher = Преподаватель
teacher-description = Курсы преподавателя { $name }.
video = Видео
text = Текст
preview = Бесплатный урок
enroll-free = Записаться бесплатно
enroll-paid = Купить курс
signup-to-enroll = Зарегистрируйтесь, чтобы записаться
start-learning = Начать обучение
continue-learning = Продолжить обучение
review-course = Оставить отзыв
course-completed = Пройден
progress = Прогресс
progress-text = Пройдено { $percent }%
progress-template = { $done } из { $total ->
    [one] { $total } урока
   *[other] { $total } уроков
} · { $percent }%
wish-add = В избранное
wish-remove = В избранном
save-failed = Не удалось сохранить.
load-failed = Не удалось загрузить.
retry = Повторить

reviews-title = Отзывы
review-write = Написать отзыв
review-rating = Ваша оценка
review-choose = Выберите…
review-text = Ваш отзыв (необязательно)
review-submit = Опубликовать
review-saved = Спасибо за отзыв!
review-need-rating = Сначала выберите оценку.
more-reviews = Ещё отзывы

learn-title = Моё обучение
learn-empty = Вы пока не записаны ни на один курс.
lesson-of = Урок { $position } из { $count }
lesson-done = Пройден
mark-complete = Отметить как пройденный
lesson-nav = Уроки
prev-lesson = Назад
next-lesson = Далее
watch-video = Смотреть видео
lesson-attachments = Материалы урока
course-complete-title = Курс пройден!
course-complete-text = Вы прошли все уроки. Отличная работа.
leave-review = Оставить отзыв

wishlist-title = Избранное
wishlist-empty = В избранном пока пусто.
notifications-title = Уведомления
notifications-empty = Уведомлений пока нет.
mark-all-read = Отметить все как прочитанные
mark-read = Отметить как прочитанное
read = Прочитано

signup-title = Регистрация
signup-description = Создайте бесплатный аккаунт в { $school }, чтобы записываться на курсы и следить за прогрессом.
signup-lead = Бесплатно и займёт минуту.
signup-submit = Зарегистрироваться
have-account = Уже есть аккаунт?
signin-title = Вход
signin-description = Войдите в { $school }, чтобы продолжить обучение.
signin-submit = Войти
no-account = Впервые здесь?
forgot-link = Забыли пароль?
field-name = Ваше имя
field-email = Эл. почта
field-password = Пароль
field-new-password = Новый пароль
field-current-password = Текущий пароль
field-language = Язык
password-hint = Не меньше 8 символов.
form-email-taken = Аккаунт с такой почтой уже есть. Может быть, войти?
form-invalid-credentials = Неверная почта или пароль.
form-account-locked = Эта учётная запись заблокирована администрацией школы. Свяжитесь с ней, чтобы снять блокировку.
form-too-many = Слишком много попыток. Подождите несколько минут и попробуйте снова.
form-invalid-token = Ссылка устарела или уже использована. Запросите новую.

verify-title = Подтверждение почты
verify-done = Почта подтверждена. Спасибо!
verify-failed = Ссылка для подтверждения устарела или уже использована.
forgot-title = Восстановление пароля
forgot-lead = Укажите почту, и мы пришлём ссылку для смены пароля.
forgot-submit = Прислать ссылку
forgot-sent = Если аккаунт с такой почтой существует, ссылка уже в пути. Она действует один час.
reset-title = Новый пароль
reset-submit = Сохранить пароль
reset-new-link = Запросить новую ссылку
reset-done = Пароль изменён. Войдите с новым паролем.

account-title = Профиль
account-profile = Личные данные
account-password = Пароль
account-change-password = Сменить пароль
account-saved = Профиль сохранён.
account-password-saved = Пароль изменён. На других устройствах выполнен выход.
email-verified = подтверждена
email-unverified = ещё не подтверждена
save = Сохранить

error-home = На главную
error-400-title = С запросом что-то не так
error-400-message = Проверьте адрес или форму и попробуйте снова.
error-402-title = Это платный курс
error-402-message = Оплата курсов пока недоступна. Бесплатные курсы открыты для всех.
error-403-title = Эта страница вам недоступна
error-403-message = Она принадлежит другому пользователю или нужно сначала записаться на курс.
error-404-title = Страница не найдена
error-404-message = Такой страницы нет или она переехала.
error-409-title = Это уже сделано
error-409-message = Ничего не изменилось. Вернитесь назад и обновите страницу.
error-422-title = Проверьте поля формы
error-422-message = Вернитесь назад, исправьте форму и отправьте её снова.
error-429-title = Слишком много запросов
error-429-message = Подождите немного и попробуйте снова.
error-500-title = Что-то пошло не так
error-500-message = Не получилось показать страницу. Попробуйте чуть позже.
error-503-title = Временно недоступно
error-503-message = Школа перегружена или на обслуживании. Попробуйте немного позже.
offline-title = Нет подключения к сети
offline-message = Эта страница не сохранена на устройстве. Уроки, которые вы открывали раньше, доступны для чтения.

month-1 = янв.
month-2 = февр.
month-3 = мар.
month-4 = апр.
month-5 = мая
month-6 = июн.
month-7 = июл.
month-8 = авг.
month-9 = сент.
month-10 = окт.
month-11 = нояб.
month-12 = дек.

fe-must-be-at-least-8-characters = не меньше 8 символов
fe-must-be-at-most-128-characters = не больше 128 символов
fe-is-one-of-the-most-common-passwords--choose-another = это один из самых распространённых паролей, выберите другой
fe-must-not-be-empty = не может быть пустым
fe-must-be-at-most-100-characters = не больше 100 символов
fe-must-not-contain-control-or-formatting-characters = не может содержать управляющие символы
fe-must-not-contain-a-web-address = не может содержать веб-адрес
fe-must-be-between-1-and-5 = должна быть от 1 до 5
fe-must-be-a-valid-email-address = должен быть корректным адресом почты

## Покупка курса
buy-course = Купить курс
signup-to-buy = Зарегистрируйтесь, чтобы купить
pay-with = Способ оплаты
provider-stripe = Карта (Stripe)
provider-yookassa = ЮKassa
provider-test = Тестовая оплата
order-title = Ваш заказ
orders-title = Мои покупки
orders-empty = Вы пока не купили ни одного курса.
orders-course = Курс
orders-date = Дата
orders-total = Сумма
orders-status = Статус
order-pending = Ждём оплату
order-paid = Оплачен
order-failed = Оплата не прошла
order-canceled = Отменён
order-expired = Истёк
order-review = На проверке
order-refunded = Возвращён
order-partially-refunded = Частично возвращён
order-pending-wait = Ждём подтверждения от платёжной системы. Страница обновится сама.
order-paid-enrolled = Оплата получена, вы записаны на курс. Приятной учёбы!
order-review-wait = Сумма оплаты не совпала с заказом, поэтому мы проверяем её вручную. Мы свяжемся с вами; больше ничего не списано.
order-failed-why = Оплата не прошла, деньги не списаны. Можно попробовать ещё раз.
order-try-again = Попробовать ещё раз
paytest-title = Тестовая оплата
paytest-explain = Школа принимает тестовые платежи: деньги не списываются. Выберите, что ответит платёжная система.
paytest-pay = Оплатить
paytest-decline = Отклонить
coupon-code = Промокод (необязательно)

## Возвраты (со стороны покупателя)
orders-refunded = Возвращено
order-refunded-amount = Возвращено
order-refunded-explain = Оплата возвращена вам полностью, поэтому курса больше нет в вашем обучении.
refund-requested = Запрошен возврат
refund-pending-explain = Вы запросили возврат { $date }. Школа скоро рассмотрит запрос; когда деньги будут отправлены, вы получите письмо.
refund-ask-title = Запросить возврат
refund-ask-explain = Передумали? Можно попросить вернуть { $amount }.
refund-rules = { $n ->
    [one] Возврат возможен в течение { $n } дня после оплаты
   *[other] Возврат возможен в течение { $n } дней после оплаты
}, если пройдено меньше { $percent }% уроков.
refund-reason = Почему вы хотите вернуть деньги?
refund-reason-help = От 3 до 1000 символов. Школа прочтёт ваш ответ.
refund-ask = Запросить возврат
refund-reason-invalid = Пожалуйста, объясните причину — от 3 до 1000 символов.
refund-refused-window = Срок возврата по этому заказу истёк, запросить возврат уже нельзя.
refund-refused-progress = Вы прошли слишком большую часть курса, чтобы вернуть деньги.
refund-refused-not-refundable = По этому заказу возвращать больше нечего.
refund-provider-unavailable = Платёжная система отклонила возврат или не ответила. Ничего не изменилось; попробуйте позже.

## Доходы и выплаты (преподаватели)
nav-earnings = Доходы
earnings-title = Доходы
earnings-hold = { $n ->
    [0] Вашу долю от продажи можно вывести сразу.
    [one] Ваша доля от продажи удерживается { $n } день после оплаты, пока покупатель может запросить возврат.
    [few] Ваша доля от продажи удерживается { $n } дня после оплаты, пока покупатель может запросить возврат.
   *[other] Ваша доля от продажи удерживается { $n } дней после оплаты, пока покупатель может запросить возврат.
}
earnings-explain = Доступную сумму можно запросить как выплату. Деньги по оспоренному платежу заморожены, пока спор не разрешён.
earnings-empty = Продаж пока нет. Доходы появятся здесь после первой продажи.
earnings-currency = Валюта
earnings-pending = Удерживается
earnings-available = Доступно
earnings-frozen = Заморожено
earnings-requested = Запрошено
earnings-paid-out = Выплачено
payout-request-title = Запросить выплату
payout-available-option = доступно { $amount }
payout-amount = Сумма (необязательно)
payout-amount-help = Оставьте пустым, чтобы получить всё доступное.
payout-minimum = Минимальная выплата — { $amount }.
payout-request = Запросить выплату
payout-unavailable = Такую выплату сделать нельзя: она должна быть не меньше минимальной и не больше доступной суммы.
payout-decided = По этой выплате уже принято решение.
amount-invalid = Введите сумму, например 25 или 25,50, или оставьте поле пустым.
payouts-title = Ваши выплаты
payouts-empty = Вы ещё не запрашивали выплат.
payouts-requested-on = Запрошена
payouts-amount = Сумма
payouts-note = Номер платежа или причина
payouts-decided-on = Решение
payouts-reference = Номер банковского платежа: { $reference }
payout-requested = Запрошена
payout-paid = Выплачена
payout-rejected = Отклонена

## Деньги школы (администратор)
nav-admin-orders = Заказы
nav-admin-payouts = Выплаты
nav-admin-ledger = Журнал проводок
admin-nav-label = Администрирование школы
admin-filters = Фильтры
filter-any = Любой
admin-orders-title = Все заказы
admin-orders-empty = Нет заказов, подходящих под эти фильтры.
admin-orders-back = Ко всем заказам
admin-provider = Платёжная система
admin-buyer = Покупатель
admin-teacher = Преподаватель
admin-refund-requested-only = Только заказы с запросом возврата
admin-order-title = Заказ
admin-order-id = Номер заказа
admin-price = Цена
admin-discount = Скидка
admin-disputed = Оспорен
admin-paid-at = Оплачен
admin-refund-request = Запрос покупателя на возврат
admin-refund-request-on = Запрошен { $date }:
admin-refund-title = Возврат
admin-refund-amount = Сумма (необязательно)
admin-refund-amount-help = Оставьте пустым, чтобы вернуть весь остаток ({ $amount }).
admin-refund-reason = Причина (сохранится в журнале)
admin-refund = Вернуть деньги
admin-refund-refused = Такую сумму вернуть нельзя: она должна быть больше нуля и не больше остатка оплаты.
refund-admin-reason-invalid = Укажите причину — от 3 до 1000 символов.
admin-payouts-title = Выплаты
admin-payouts-empty = Нет выплат, подходящих под этот фильтр.
admin-payouts-csv = Скачать CSV для банка
admin-payout-reference = Номер банковского платежа
admin-payout-mark-paid = Отметить выплаченной
admin-payout-reason = Причина
admin-payout-reject = Отклонить
payout-reference-invalid = Введите номер банковского перевода (до 200 символов).
payout-reason-invalid = Объясните преподавателю причину — от 3 до 1000 символов.
admin-ledger-title = Журнал проводок
admin-ledger-explain = Все движения денег, новые сверху. Дебет — то, что школа держит или что ей должны; кредит — то, что должна она.
admin-ledger-empty = Пока ничего не записано.
admin-ledger-order = Заказ
admin-ledger-payout = Выплата
admin-ledger-account = Счёт
admin-ledger-debit = Дебет
admin-ledger-credit = Кредит
ledger-at = { $date }, { $time } UTC
ledger-sale = Продажа
ledger-refund = Возврат
ledger-dispute = Спор
ledger-release = Удержание закончилось
ledger-payout-requested = Запрошена выплата
ledger-payout-paid = Выплата проведена
ledger-payout-rejected = Выплата отклонена

# Настройки писем (страница профиля) и страница отписки.
account-email = Письма
account-email-hint = Чеки, сброс пароля и другие важные письма приходят всегда.
account-email-reminders = Напоминания об уроках, если я не занимаюсь несколько дней
account-email-digests = Ежедневная сводка о новых студентах и отзывах (для преподавателей)
account-email-product-news = Новости школы
account-email-saved = Настройки писем сохранены.
unsubscribe-title = Отписка
unsubscribe-confirm = Больше не присылать { $list } на этот адрес?
unsubscribe-button = Отписаться
unsubscribe-done-title = Вы отписались
unsubscribe-done = Вы больше не будете получать { $list }. Включить их снова можно в любое время на странице профиля.
unsubscribe-invalid = Эта ссылка для отписки недействительна (возможно, она скопирована не полностью). Войдите и измените настройки писем на странице профиля.
unsubscribe-manage = Настройки писем
unsubscribe-list-reminders = напоминания об уроках
unsubscribe-list-digests = ежедневные сводки
unsubscribe-list-product-news = новости школы
## Сертификаты (PDF и страница проверки)
cert-title = Сертификат об окончании курса
cert-certifies = Настоящим подтверждается, что
cert-completed = успешно завершил(а) курс
cert-taught-by = преподаватель: { $teacher }
cert-date = Дата
cert-code = Номер сертификата
cert-verify-at = Проверить сертификат:
cert-revoked-banner = ОТОЗВАН: { $reason }
cert-long-date = { $day } { $month } { $year } г.
cert-month-1 = января
cert-month-2 = февраля
cert-month-3 = марта
cert-month-4 = апреля
cert-month-5 = мая
cert-month-6 = июня
cert-month-7 = июля
cert-month-8 = августа
cert-month-9 = сентября
cert-month-10 = октября
cert-month-11 = ноября
cert-month-12 = декабря
cert-page-title = Сертификат: { $course }
cert-valid = Действительный сертификат, выдан: { $school }
cert-revoked = Сертификат отозван { $date }.
cert-revoked-reason = Причина: { $reason }
cert-student = Выдан
cert-course = Курс
cert-teacher = Преподаватель
cert-completed-on = Дата окончания
cert-school = Выдан школой
cert-number = Номер сертификата
cert-download-pdf = Скачать PDF
cert-open-badge = Цифровой бейдж Open Badges 3.0 (подписанный VC-JWT)
cert-public-key = Открытый ключ школы (JWKS)
cert-linkedin = Добавить в LinkedIn
cert-verify-note = Эта страница — публичная запись о сертификате: любой, у кого есть ссылка или QR-код, может проверить его здесь. Бейдж Open Badges подписан ключом школы, поэтому его можно проверить, не доверяя этой странице.
cert-view = Открыть сертификат
cert-yours = Ваш сертификат
cert-revoked-badge = Отозван
former-student = бывший студент

## Консоль администратора (/admin, /admin/users, /admin/audit)
nav-admin-console = Консоль
nav-admin-users = Пользователи
nav-admin-audit = Журнал действий
console-title = Консоль администратора
console-figures = Школа в цифрах
console-figure = Показатель
console-value = Значение
console-note = Из чего складывается
console-users = Учётные записи
console-users-note = Студенты: { $students }, преподаватели: { $teachers }, администраторы: { $admins } (удалённые не считаются)
console-locked = Заблокированные учётные записи
console-mau = Активные за месяц
console-mau-note = Входили или проходили уроки за последние 30 дней
console-teachers-publishing = Преподаватели с опубликованным курсом
console-courses = Курсы
console-courses-note = Опубликовано: { $published }
console-enrollments = Записи на курсы
console-enrollments-note = Завершено: { $completed }
console-completion = Доля завершивших
console-completion-note = Завершённые записи из всех записей на курсы
console-revenue = Выручка
console-revenue-note = По валютам: сколько платёжные системы держат для школы (продажи за вычетом возвратов) и комиссия школы.
console-revenue-empty = Пока ничего не продано.
console-currency = Валюта
console-taken = Получено
console-fees = Комиссия
console-areas = Разделы администрирования
console-area-users = поиск учётных записей, смена ролей, блокировка и разблокировка
console-area-orders = все заказы, запросы на возврат и возвраты
console-area-payouts = запросы преподавателей на выплату и CSV для банка
console-area-ledger = все движения денег
console-area-audit = все действия администраторов: кто и почему
role-student = Студент
role-teacher = Преподаватель
role-admin = Администратор
account-status-active = Активна
account-status-locked = Заблокирована
account-status-deleted = Удалена
admin-users-title = Пользователи
admin-users-explain = Сначала новые учётные записи. Блокировка сразу завершает все сеансы пользователя: при следующем запросе он выходит отовсюду и не может войти, пока администратор не снимет блокировку. Для каждого изменения нужна причина — она сохраняется в журнале действий.
admin-users-search = Email или имя
admin-users-role = Роль
admin-users-status = Состояние
admin-users-person = Пользователь
admin-users-actions = Действия
admin-users-empty = Нет учётных записей, подходящих под эти фильтры.
admin-users-you = вы
admin-users-joined = Зарегистрирован { $date }
admin-users-last-active = последняя активность { $date }
admin-users-new-role = Новая роль
admin-users-change-role = Сменить роль
admin-users-reason = Причина
admin-users-reason-optional = Причина (необязательно)
admin-users-lock = Заблокировать
admin-users-unlock = Разблокировать
admin-users-done-role = Роль изменена.
admin-users-done-lock = Учётная запись заблокирована, все её сеансы завершены.
admin-users-done-unlock = Учётная запись разблокирована.
admin-users-own-account = Нельзя заблокировать свою учётную запись или снять с себя роль администратора. Попросите другого администратора.
admin-users-last-admin = В школе должен остаться хотя бы один действующий администратор: сначала назначьте администратором кого-то ещё.
admin-users-deleted = Эту учётную запись удалил её владелец, изменить её нельзя.
admin-users-reason-invalid = Укажите причину — от 3 до 1000 символов; она сохранится в журнале действий.
admin-users-role-invalid = Выберите роль: студент, преподаватель или администратор.
admin-audit-title = Журнал действий
admin-audit-explain = Все действия администраторов (и автоматических правил школы), которые кого-то затрагивают, новые сверху. Записи никогда не меняются и не удаляются.
admin-audit-empty = Пока ничего не записано.
admin-audit-when = Когда
admin-audit-actor = Кто
admin-audit-action = Действие
admin-audit-target = С чем
admin-audit-reason = Причина
admin-audit-system = Система
audit-deleted-account = Удалённая учётная запись
audit-target-order = Заказ { $id }
audit-target-payout = Выплата { $id }
audit-target-certificate = Сертификат { $id }
audit-user-role = Роль изменена
audit-user-lock = Учётная запись заблокирована
audit-user-unlock = Учётная запись разблокирована
audit-user-delete = Владелец удалил учётную запись
audit-order-refund = Возврат по заказу
audit-payout-paid = Выплата проведена
audit-payout-reject = Выплата отклонена
audit-certificate-revoke = Сертификат отозван

## Личные данные (страница профиля)
account-data = Ваши данные
account-data-hint = Скачайте одним файлом JSON всё, что школа хранит о вас: учётную запись, курсы и прогресс, отзывы, избранное, уведомления, заказы, выплаты, сертификаты, настройки писем и активные входы.
account-data-download = Скачать мои данные
account-delete = Удалить учётную запись
account-delete-warning = Удаление учётной записи нельзя отменить.
account-delete-gone = Ваши имя, email, пароль, профиль, уведомления, настройки писем и имя в сертификатах будут удалены, а все ваши сеансы завершены.
account-delete-reviews = Ваши отзывы останутся на страницах курсов с подписью «бывший студент».
account-delete-orders = Ваши заказы и платежи сохранятся без имени и email: закон обязывает школу хранить финансовые документы.
account-delete-again = Позже можно снова зарегистрироваться с тем же email — это будет новая, пустая учётная запись.
account-delete-password = Ваш пароль для подтверждения
account-delete-button = Удалить учётную запись навсегда
account-delete-wrong-password = Пароль неверный, поэтому ничего не удалено.
account-deleted-title = Учётная запись удалена
account-deleted = Ваша учётная запись удалена, вы вышли из системы. Спасибо, что учились у нас.
account-deleted-home = На главную

## Модерация
nav-admin-moderation = Модерация
moderation-title = Модерация
moderation-sections = Очереди
moderation-courses = Курсы на проверке
moderation-courses-hint = Здесь ждут первый курс преподавателя и курсы, на которые указали автоматические проверки. (Верификации преподавателей пока нет: преподаватель с опубликованным курсом считается проверенным.)
moderation-reviews = Задержанные отзывы
moderation-reports = Жалобы
moderation-empty = Ничего не ждёт решения.
moderation-course = Курс
moderation-review = Отзыв
moderation-report = Жалоба
moderation-evidence = Причины
moderation-decision = Решение
moderation-approve = Опубликовать
moderation-reject = Вернуть на доработку
moderation-reason = Причина (её получит автор)
moderation-publish = Опубликовать
moderation-hide = Скрыть
moderation-action = Действие
moderation-note = Обоснование решения
moderation-resolve = Решить
moderation-not-pending = Решение по этому уже принято.
moderation-not-supported = Это действие здесь неприменимо (блокировка аккаунтов пока недоступна).
moderation-reason-needed = Напишите причину — не короче 3 символов.
screen-reason-link = ссылка
screen-reason-contact = контактные данные
screen-reason-promotion = реклама
screen-reason-abuse = мат или оскорбления
screen-reason-shouting = капс
screen-reason-repetition = повторы символов
screen-reason-new-account = совсем новый аккаунт
screen-reason-burst = много отзывов за минуты
screen-reason-duplicate = тот же текст в другом месте
screen-reason-few-lessons = мало уроков с содержанием
screen-reason-short-description = короткое описание
screen-reason-first-course = первый курс преподавателя
report-target-course = Курс
report-target-review = Отзыв
report-target-teacher = Преподаватель
report-target-lesson = Урок
report-target-question = Вопрос
report-target-answer = Ответ
report-reason-spam = Спам или реклама
report-reason-abuse = Оскорбления
report-reason-copyright = Нарушение авторских прав
report-reason-misleading = Вводит в заблуждение
report-reason-other = Другое
report-action-dismiss = Отклонить (нарушений нет)
report-action-hide = Скрыть
report-action-unpublish = Снять курс с публикации
report-action-lock-user = Заблокировать аккаунт
report-review = Пожаловаться на отзыв
report-course = Пожаловаться на курс
report-reason = Что не так?
report-details = Подробности (необязательно)
report-submit = Отправить жалобу
report-received-title = Жалоба
report-received = Спасибо. Мы получили вашу жалобу: её рассмотрит человек, и мы сообщим вам о решении.
report-already = Вы уже пожаловались на это; мы сообщим вам о решении.
report-back = Вернуться на страницу
review-pending = Ожидает модерации: пока администратор не проверит отзыв, его видите только вы.
course-in-review = Курс ждёт проверки администратора и пока не виден другим. О решении вы узнаете из уведомления и письма.

## The studio: the course wizard and the editors
nav-studio = Студия
form-slug-taken = Этот адрес уже занят другим курсом.
course-status-draft = Черновик
course-status-published = Опубликован
course-status-archived = В архиве
course-status-in_review = На проверке
lesson-kind-text = Текст
lesson-kind-video = Видео
course-field-title = Название
course-field-title-help = Чему научатся студенты, в нескольких словах (от 3 до 120 символов).
course-field-subtitle = Подзаголовок
course-field-category = Категория
course-field-level = Уровень
course-field-language = Язык курса
course-field-description = Описание (Markdown)
course-field-slug = Веб-адрес
course-field-slug-help = Строчные латинские буквы, цифры и дефисы: окончание адреса страницы курса.
wizard-title = Новый курс
wizard-progress = Шаги создания курса
wizard-step-basics = Основное
wizard-step-description = Описание
wizard-step-curriculum = Первый урок
wizard-step-cover = Обложка
wizard-step-price = Цена
wizard-step-publish = Публикация
wizard-step-visited = пройден
wizard-drafts = Ваши незаконченные черновики
wizard-continue = Продолжить «{ $title }»
wizard-next = Сохранить и продолжить
wizard-save-next = Сохранить и продолжить
wizard-skip = Пропустить пока
wizard-open-editor = Открыть полный редактор
wizard-description-help = Расскажите, чему научатся студенты, для кого курс и что нужно знать заранее. Не меньше 20 слов; работает Markdown (**жирный**, списки, ссылки).
wizard-curriculum-more = В курсе уже есть эти уроки. Добавьте ещё один или оставьте поля пустыми и продолжайте.
wizard-module-placeholder = Например: Начало работы
wizard-cover-help = Картинка для каталога и страницы курса: JPEG, PNG или WebP, не меньше 1280 × 720, до 10 МБ. Метаданные (место съёмки, камера) удаляются.
checklist-title = Перед публикацией
checklist-done = готово
checklist-required = обязательно
checklist-advice = желательно
checklist-fix = Исправить
checklist-review-note = Обязательные пункты нужны для публикации. Без желательных курс сначала проверит администратор; первый курс преподавателя проверяется всегда.
checklist-subtitle = Подзаголовок, который объясняет, что даёт курс
checklist-description = Описание
checklist-description_words = Описание не короче 20 слов
checklist-lessons = Хотя бы один урок
checklist-lessons_with_content = Не меньше 3 уроков с текстом или видео
checklist-cover = Обложка
studio-editor = Редактор курса
## Студия преподавателя: сводка, аналитика курса, студенты
studio-title = Студия
studio-new-course = Новый курс
studio-empty-title = Создайте свой первый курс
studio-empty-text = В студии видно, как идут ваши курсы: студенты, прогресс, оценки и доход. Начните с создания курса; опубликовать его можно, когда он будет готов.
studio-create-first = Создать первый курс
studio-totals = Итоги
studio-students = Студенты
studio-active = Активны за 30 дней
studio-completion = Доля завершивших
studio-revenue = Доход
studio-rating = Оценка
studio-no-rating = Оценок пока нет
studio-courses = Ваши курсы
studio-course = Курс
studio-recent-reviews = Последние отзывы
studio-no-reviews = Отзывов пока нет.
studio-stars = { $n ->
    [one] { $n } звезда
    [few] { $n } звезды
    [many] { $n } звёзд
   *[other] { $n } звезды
}
studio-course-nav = Разделы курса
studio-tab-editor = Редактор
studio-tab-analytics = Аналитика
studio-tab-students = Студенты
studio-view-page = Открыть страницу курса
studio-details = Основное
studio-curriculum = Программа
studio-pricing = Цена
studio-publishing = Публикация
studio-preview = Предпросмотр
studio-cover = Обложка
studio-cover-file = Выберите изображение
studio-reorder-help = Перетаскивайте модули и уроки за маркер или используйте кнопки со стрелками: новый порядок сохраняется сразу.
studio-module-title = Название модуля
studio-lesson-title = Название урока
studio-lesson-body = Текст урока (Markdown)
studio-rename = Переименовать
studio-delete = Удалить
studio-delete-named = Удалить «{ $title }»
studio-move-up = Переместить «{ $title }» выше
studio-move-down = Переместить «{ $title }» ниже
studio-delete-module-confirm = Удалить модуль со всеми уроками? Прогресс студентов в них пропадёт.
studio-delete-lesson-confirm = Удалить урок? Прогресс студентов в нём пропадёт.
studio-new-lesson = Новый урок
studio-add-lesson = Добавить урок
studio-new-module = Новый модуль
studio-add-module = Добавить модуль
studio-preview-flag = бесплатный просмотр
studio-lesson-empty = пустой
studio-current-price = Сейчас: { $price }
studio-free = Бесплатно
studio-paid = Платно
studio-price = Цена
studio-coupons = Купоны
studio-no-coupons = Купонов пока нет.
studio-coupon-code = Код
studio-coupon-discount = Скидка
studio-coupon-uses = Использован
studio-coupon-percent = Скидка, %
studio-coupon-create = Создать купон
studio-coupon-active = действует
studio-coupon-inactive = отключён
studio-is-published = Курс опубликован: его можно найти в каталоге.
studio-publish = Опубликовать
studio-published = Опубликовано: курс появился в каталоге.
studio-in-review = Отправлено: администратор проверит курс, прежде чем он станет публичным. Решение придёт уведомлением и письмом.
studio-unpublish = Снять с публикации
studio-unpublish-confirm = Убрать курс из каталога? Записанные студенты сохранят доступ.
studio-saved = Сохранено.
studio-saved-details = Основное сохранено.
studio-saved-price = Цена сохранена.
studio-saved-coupon = Купон создан.
studio-saved-publish = Курс отправлен на публикацию.
studio-saved-unpublish = Курс больше не публичный.
studio-lesson-editor = Редактор урока
studio-video = Видео
studio-video-url = Ссылка на YouTube или Vimeo
studio-video-url-help = Вставьте ссылку или загрузите видеофайл ниже (MP4 или WebM).
studio-video-file = Загрузить видеофайл
studio-attachment-file = Прикрепить файл (PDF или документ)
studio-minutes = Длительность в минутах
studio-preview-lesson = Бесплатный просмотр: урок доступен всем
studio-conflict-title = Урок изменили, пока вы его редактировали
studio-conflict-explain = Кто-то (возможно, вы в другой вкладке) сохранил более новую версию после того, как вы открыли эту страницу. Ничего не перезаписано.
studio-conflict-theirs = Сохранённая версия
studio-conflict-choose = Ваш текст остался в форме ниже. Скопируйте нужное и сохраните, чтобы заменить сохранённую версию, или возьмите сохранённую.
studio-conflict-take = Взять сохранённую версию
studio-conflict-keep = Сохранить мою поверх
studio-saving = Сохраняю…
studio-save-failed = Не сохранено: { $reason }
studio-order-saved = Новый порядок сохранён.
teacher-verified = Подтверждённый преподаватель
moderation-verifications = Подтверждение преподавателей
moderation-verifications-hint = Преподаватели, приславшие документы для подтверждения. Откройте каждый документ и одобрите или отклоните с причиной, которую увидит преподаватель.
moderation-documents = Документы
moderation-document-n = Документ { $n }
verification-title = Подтверждение преподавателя
verification-lead = У подтверждённых преподавателей на страницах есть значок, а курсы, прошедшие автоматическую проверку, публикуются сразу. Пришлите документ, удостоверяющий личность, или диплом; открыть его могут только администраторы школы.
verification-none = Вы ещё не запрашивали подтверждение.
verification-pending = Отправлено { $date }: администратор скоро посмотрит документы.
verification-approved = Вы подтверждены.
verification-rejected = Последний запрос не одобрен. Причина:
verification-documents-help = PDF, JPEG или PNG, до 20 МБ каждый; хотя бы один.
verification-note = Комментарий для администратора (необязательно)
verification-send = Отправить на проверку
signup-role = Я хочу
signup-role-student = учиться
signup-role-teacher = преподавать: создавать и продавать курсы
studio-remove-video = Удалить загруженное видео
studio-remove-cover = Удалить обложку
studio-status-active = Учится
studio-status-completed = Завершил
analytics-title = Аналитика: { $course }
analytics-period = Период
analytics-from = С
analytics-to = По
analytics-show = Показать
analytics-last-days = { $n ->
    [one] последний { $n } день
    [few] последние { $n } дня
    [many] последние { $n } дней
   *[other] последние { $n } дня
}
analytics-new-students = Новых студентов за период
analytics-refunds = Возвраты за период
analytics-enrollments = Записи по дням
analytics-enrollments-alt = Столбчатая диаграмма записей по дням: { $count } за период. Все дни — в таблице ниже.
analytics-completions = Завершения
analytics-revenue = Доход по дням
analytics-revenue-alt = Столбчатая диаграмма дохода по дням: { $amount } за период. Дни с продажами — в таблице ниже.
analytics-no-revenue = За этот период продаж нет.
analytics-funnel = Воронка уроков
analytics-funnel-explain = Сколько студентов прошли каждый урок, по порядку курса: где столбцы падают, там студенты останавливаются.
analytics-funnel-alt = Горизонтальная диаграмма: сколько студентов прошли каждый урок, по порядку курса. Числа — в таблице ниже.
analytics-no-lessons = В этом курсе пока нет уроков.
analytics-ratings = Оценки
analytics-ratings-alt = Горизонтальная диаграмма опубликованных отзывов по оценкам, начиная с пяти звёзд. Числа — в таблице ниже.
analytics-table = Показать числа таблицей
analytics-csv = Скачать CSV
analytics-date = Дата
analytics-lesson = Урок
analytics-completed = Прошли
analytics-share = Доля студентов
analytics-reviews = Отзывы
analytics-max = макс.
students-title = Студенты: { $course }
students-total = { $n ->
    [one] записан { $n } студент
    [few] записаны { $n } студента
    [many] записаны { $n } студентов
   *[other] записано { $n } студента
}
students-search = Поиск студентов по имени
students-csv = Скачать список студентов (CSV)
students-empty = Студенты не найдены.
students-name = Студент
students-enrolled = Записан
students-progress = Прогресс
students-last-activity = Последняя активность
studio-meta-description = Создавайте, редактируйте курсы и следите за ними: студия преподавателя.
report-teacher = Пожаловаться на преподавателя
report-lesson = Пожаловаться на урок

## Lesson Q&A
qa-notice-answered = Новый ответ на ваш вопрос «{ $title }»
qa-notice-accepted = Ответ на ваш вопрос «{ $title }» отмечен как принятый
qa-heading = Вопросы и ответы
qa-ask = Задать вопрос
qa-title = Заголовок
qa-body = Подробности (необязательно)
qa-submit = Отправить вопрос
qa-answer = Ваш ответ
qa-answer-submit = Ответить
qa-accept = Отметить как принятый
qa-accepted = Принятый ответ
qa-teacher = Преподаватель
qa-pending = Ожидает модерации
qa-hidden = Скрыто модератором
qa-none = Вопросов пока нет. Задайте первый.
qa-answers = { $count ->
    [one] { $count } ответ
    [few] { $count } ответа
   *[other] { $count } ответов
}
qa-search = Поиск по вопросам курса
qa-search-submit = Найти
qa-report = Пожаловаться
qa-sent = Спасибо: ваше сообщение ожидает модерации.
qa-recent = Последние вопросы
qa-recent-none = Студенты пока не задавали вопросов.
qa-queue = Вопросы и ответы
qa-queue-empty = Нет задержанных вопросов и ответов.
qa-kind-question = Вопрос
qa-kind-answer = Ответ

## Quizzes and locked modules
quiz-submit = Проверить ответы
quiz-retry = Попробовать снова
quiz-pass-mark = Проходной балл: { $percent }%
quiz-attempts-left = { $left ->
    [one] Осталась { $left } попытка
    [few] Осталось { $left } попытки
   *[other] Осталось { $left } попыток
}
quiz-attempts-used = { $used ->
    [one] Использована { $used } попытка
    [few] Использовано { $used } попытки
   *[other] Использовано { $used } попыток
}
quiz-no-attempts = Все попытки для этого теста использованы.
quiz-passed = Пройдено: { $percent }%. Урок засчитан.
quiz-failed = { $percent }% — пока недостаточно, чтобы пройти.
quiz-correct = Верно
quiz-wrong = Неверно
quiz-choose-several = Выберите все верные ответы.
quiz-your-answer = Ваш ответ
quiz-enroll = Запишитесь на курс, чтобы пройти тест.
quiz-teacher-note = Вы ведёте этот курс: ваши попытки проверяются, но не записываются.
quiz-kind = Тест
quiz-submit-failed = Не удалось отправить ответы.
lesson-locked-title = Этот урок пока закрыт
lesson-locked-on = Он откроется { $date }.
lesson-locked-after = Он откроется, когда вы пройдёте модуль «{ $module }».
module-locked-on = Откроется { $date }
module-locked-after = Откроется после модуля «{ $module }»
back-to-course = Вернуться к курсу
studio-add-quiz = Добавить тест
studio-quiz = Вопросы
studio-quiz-help = Один вопрос в блоке, блоки разделяются пустой строкой. Первая строка — вопрос. Затем «* вариант» для верного варианта, «- вариант» для неверного (два верных варианта делают вопрос с несколькими ответами; для вопроса с одним верным вариантом допишите [multiple] после вопроса), «= текст» для каждого принимаемого краткого ответа (регистр и пробелы не учитываются), «> текст» — пояснение после попытки.
studio-quiz-pass = Проходной балл, %
studio-quiz-attempts = Попыток (пусто — без ограничений)
studio-unlock = Открывается
studio-unlock-days = дней после записи
studio-unlock-on = в дату
studio-unlock-after = после модуля
studio-unlock-none = сразу
studio-unlock-save = Сохранить
lesson-kind-quiz = Тест
analytics-quizzes = Тесты
analytics-quizzes-explain = Попытки с последнего изменения вопросов теста и как часто на каждый вопрос отвечали верно: низкие значения показывают, где студенты ошибаются.
analytics-quiz-attempts = Попытки
analytics-quiz-passed = Сдали
analytics-quiz-question = Вопрос
analytics-quiz-correct = Верных ответов
qa-course-none = В этом курсе пока нет вопросов: задайте вопрос под уроком.
qa-no-match = По этому запросу вопросов не найдено.
qa-older = Более ранние вопросы
qa-all = Все вопросы курса
